import { ConfigurationError } from '../archival/archival.errors';
import { demoHostConfiguration, portProblem } from './demo-config';

describe('the demo host start-up check', () => {
  it.each(['abc', '0', '65536', '-1', '80.5', '3000x', '99999999'])('refuses PORT=%s, naming PORT', (port) => {
    expect(portProblem(port)).toBe(`PORT=${JSON.stringify(port)}: expected a whole number from 1 to 65535`);
  });

  it('takes 1 to 65535, and 3000 when PORT is unset or blank', () => {
    expect(demoHostConfiguration({ PORT: '8080' })).toEqual({ port: 8080 });
    expect(demoHostConfiguration({ PORT: ' 1 ' })).toEqual({ port: 1 });
    expect(demoHostConfiguration({ PORT: '65535' })).toEqual({ port: 65_535 });
    expect(demoHostConfiguration({})).toEqual({ port: 3000 });
    expect(demoHostConfiguration({ PORT: '' })).toEqual({ port: 3000 });
  });

  it('reports a bad PORT together with every bad ARCHIVAL_* variable', () => {
    let error: unknown;
    try {
      demoHostConfiguration({ PORT: 'abc', ARCHIVAL_COMPRESSION: 'lz4' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      'ARCHIVAL_COMPRESSION="lz4": expected one of gzip, zstd, none',
      'PORT="abc": expected a whole number from 1 to 65535',
    ]);
  });
});
