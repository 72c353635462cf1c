import { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint arrives as a string; row counts and sizes stay far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value?: number | null) => value,
  from: (value?: string | null) => (value === null || value === undefined ? value : Number(value)),
};
