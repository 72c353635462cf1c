import { ConfigurationError } from '../archival.errors';
import { parseTableName, quoteIdent, quoteLiteral, quoteTable } from './sql-identifier';

describe('SQL identifiers from configuration', () => {
  it('quotes plain identifiers and defaults the schema to public', () => {
    expect(quoteTable(parseTableName('flow_execution_logs'))).toBe('"public"."flow_execution_logs"');
    expect(quoteTable(parseTableName('audit.Events$2'))).toBe('"audit"."Events$2"');
  });

  it.each(['logs; DROP TABLE x', 'a"b', '1abc', '', 'a.b.c', 'x'.repeat(64), 'naïve'])(
    'rejects %j with an error that names the value',
    (bad) => {
      expect(() => parseTableName(bad)).toThrow(ConfigurationError);
      try {
        parseTableName(bad);
      } catch (error) {
        expect((error as Error).message).toContain(JSON.stringify(bad.split('.').length > 2 ? bad : bad.split('.').pop()!).slice(0, 10));
      }
    },
  );

  it('takes double-quoted names of every legal shape, and keeps them inside their quotes', () => {
    expect(parseTableName('"Odd Names"')).toEqual({ schema: 'public', name: 'Odd Names' });
    expect(parseTableName('"my schema"."we""ird.name"')).toEqual({ schema: 'my schema', name: 'we"ird.name' });
    expect(quoteTable(parseTableName('audit."ünï-cødé"'))).toBe('"audit"."ünï-cødé"');
    expect(quoteIdent('id") OR (1=1')).toBe('"id"") OR (1=1"');
  });

  it.each(['', 'a\0b', 'é'.repeat(32)])('rejects the column name %j (empty, NUL, over 63 bytes)', (bad) => {
    expect(() => quoteIdent(bad)).toThrow(/not a valid SQL identifier/);
  });

  it('escapes literals, including backslashes and quotes', () => {
    expect(quoteLiteral("o'hara")).toBe("'o''hara'");
    expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(() => quoteLiteral('a\0b')).toThrow();
  });
});
