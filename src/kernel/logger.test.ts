import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryFailedError } from 'typeorm';
import { serializeError } from './logger.js';

describe('serializeError', () => {
  it('drops the statement, its parameters and pg detail at every depth, and a database message for its SQLSTATE', () => {
    const driverError = Object.assign(new Error('invalid input syntax for type uuid: "zz-secret"'), { code: '22P02', severity: 'ERROR', routine: 'string_to_uuid', detail: 'Key (id)=(zz-secret)', where: 'zz-secret', query: 'SELECT 1', params: ['zz-secret'] });
    const failed = new QueryFailedError('SELECT * FROM batches WHERE batch_id = $1', ['zz-secret'], driverError);
    const wrapped = new Error('ingest failed', { cause: failed });
    const text = JSON.stringify([serializeError(failed), serializeError(wrapped)]);
    assert.ok(!text.includes('zz-secret'), text);
    assert.doesNotMatch(text, /SELECT/);
    const out = serializeError(failed) as { type: string; code: string; message: string; driverError: { routine: string } };
    assert.deepEqual([out.type, out.code, out.message, out.driverError.routine], ['QueryFailedError', '22P02', 'database error 22P02', 'string_to_uuid']);
  });
  it('keeps other errors as pino writes them', () => {
    const out = serializeError(Object.assign(new Error('the hub is unreachable'), { code: 'ECONNREFUSED' })) as { message: string; code: string };
    assert.deepEqual([out.message, out.code], ['the hub is unreachable', 'ECONNREFUSED']);
  });
});
