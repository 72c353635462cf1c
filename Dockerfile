# The demo host API image used by docker-compose.yml.
# Node 24: the AWS SDK's releases after the first week of January 2027 need Node >= 22.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
