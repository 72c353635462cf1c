/**
 * The admin API's one mapping of error classes to HTTP: bad input 400, an
 * unknown job, archive or run 404, a request that conflicts with what is
 * there (an archive not in the state asked for, a row already in the table,
 * an archive that does not match the catalog or cannot be decrypted) 409,
 * storage failing or a run stopped 503. Errors are sorted by class, never by
 * their message.
 */
import {
  ArgumentsHost, BadRequestException, Catch, ConflictException, ExceptionFilter, HttpException, NotFoundException, ServiceUnavailableException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import {
  ArchivalError, ConfigurationError, ConflictError, CorruptArchiveError, EncryptionError, InvalidInputError, MissingObjectError, NotFoundError,
  RunStoppedError, StorageError, UnarchivableRowsError,
} from '../archival.errors';

export function httpExceptionOf(error: ArchivalError): HttpException | undefined {
  if (error instanceof InvalidInputError || error instanceof ConfigurationError) return new BadRequestException(error.message);
  if (error instanceof NotFoundError) return new NotFoundException(error.message);
  if (error instanceof ConflictError || error instanceof CorruptArchiveError || error instanceof EncryptionError) return new ConflictException(error.message);
  if (error instanceof UnarchivableRowsError || error instanceof MissingObjectError) return new ConflictException(error.message);
  if (error instanceof StorageError || error instanceof RunStoppedError) return new ServiceUnavailableException(error.message);
  return undefined;
}

@Catch(ArchivalError)
export class ArchivalExceptionFilter extends BaseExceptionFilter implements ExceptionFilter {
  catch(error: ArchivalError, host: ArgumentsHost) {
    super.catch(httpExceptionOf(error) ?? error, host);
  }
}
