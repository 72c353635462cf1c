/**
 * The admin API's one mapping of error classes to HTTP: bad input 400, an
 * unknown job, archive or run 404, an archive that does not match the catalog
 * 409. Errors are sorted by class, never by their message.
 */
import { ArgumentsHost, BadRequestException, Catch, ConflictException, ExceptionFilter, HttpException, NotFoundException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import {
  ArchivalError, ConfigurationError, CorruptArchiveError, InvalidInputError, NotFoundError, UnarchivableRowsError, UnknownJobError,
} from '../archival.errors';
import { RestoreError } from '../restore/restore.service';

export function httpExceptionOf(error: ArchivalError): HttpException | undefined {
  if (error instanceof InvalidInputError || error instanceof ConfigurationError) return new BadRequestException(error.message);
  if (error instanceof UnknownJobError || error instanceof NotFoundError) return new NotFoundException(error.message);
  if (error instanceof CorruptArchiveError || error instanceof UnarchivableRowsError) return new ConflictException(error.message);
  if (error instanceof RestoreError) return new BadRequestException(error.message);
  return undefined;
}

@Catch(ArchivalError)
export class ArchivalExceptionFilter extends BaseExceptionFilter implements ExceptionFilter {
  catch(error: ArchivalError, host: ArgumentsHost) {
    super.catch(httpExceptionOf(error) ?? error, host);
  }
}
