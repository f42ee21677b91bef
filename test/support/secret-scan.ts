import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SECRETS_FILE } from './test-output.js';

export interface SecretFinding {
  file: string;
  line: number;
  /** The secret's first characters only, so that the report does not leak it either. */
  secret: string;
}

/**
 * Looks for every registered secret (as written, and as it appears inside a JSON string) in every
 * log and response file of a test run's output folder.
 */
export function scanForSecrets(dir: string): SecretFinding[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const secrets = names.includes(SECRETS_FILE)
    ? [...new Set(readFileSync(path.join(dir, SECRETS_FILE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string))]
    : [];
  // A multi-line secret (a PEM key) is also looked for line by line.
  const formsOf = (s: string) => new Set([s, JSON.stringify(s).slice(1, -1), ...s.split(/\r?\n/).filter((l) => l.length >= 16)]);
  const forms = secrets.flatMap((s) => [...formsOf(s)].map((form) => ({ form, secret: s })));
  const findings: SecretFinding[] = [];
  for (const name of names.filter((n) => n.endsWith('.log') || n.endsWith('.responses')).sort()) {
    const file = path.join(dir, name);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      const hit = forms.find(({ form }) => text.includes(form));
      if (hit) findings.push({ file, line: i + 1, secret: `${hit.secret.slice(0, 4)}…` });
    });
  }
  return findings;
}
