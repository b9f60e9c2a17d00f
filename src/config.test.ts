import { describe, expect, it } from 'vitest';
import { printableDatabaseUrl } from './config.js';

describe('printableDatabaseUrl', () => {
  it.each([
    ['postgres://roster:s3cret@db:5432/roster', 'postgres://roster:***@db:5432/roster'],
    ['postgresql://roster:p@ss@db/roster', 'postgresql://roster:***@db/roster'],
    [
      'postgres://db/roster?user=roster&password=s3cret&sslmode=require',
      'postgres://db/roster?user=roster&password=***&sslmode=require',
    ],
    [
      'postgres://roster@db/roster?options=-c%20search_path%3Dx',
      'postgres://roster@db/roster?options=-c%20search_path%3Dx',
    ],
    ['sqlite:./data/roster.db', 'sqlite:./data/roster.db'],
    ['mysql://root:s3cret@localhost/roster', 'mysql://root:***@localhost/roster'],
  ])('%s → %s', (url, printable) => {
    expect(printableDatabaseUrl(url)).toBe(printable);
  });
});
