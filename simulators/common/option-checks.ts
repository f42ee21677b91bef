import { AppwardenError } from '../../core/errors.js';

interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

/**
 * Collects every problem with a simulator's options, then throws them all at once
 * (`AW_CONFIG_INVALID`, one `path: problem` line each, also under `details.problems`).
 */
export class OptionChecks {
  readonly problems: string[] = [];

  constructor(private readonly subject: string) {}

  /** Checks an optional number; returns it, or `fallback` when it is absent. */
  number(path: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.problems.push(`${path}: must be a number`);
      return fallback;
    }
    if (rule.integer && !Number.isInteger(value)) this.problems.push(`${path}: must be an integer`);
    if (rule.min !== undefined && value < rule.min) this.problems.push(`${path}: must be >= ${rule.min}`);
    if (rule.max !== undefined && value > rule.max) this.problems.push(`${path}: must be <= ${rule.max}`);
    return value;
  }

  /** Checks an optional string against a pattern; returns it, or `fallback` when it is absent. */
  string(path: string, value: unknown, fallback: string, pattern?: RegExp): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value === '') {
      this.problems.push(`${path}: must be a non-empty string`);
      return fallback;
    }
    if (pattern && !pattern.test(value)) this.problems.push(`${path}: must match ${pattern}`);
    return value;
  }

  boolean(path: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.problems.push(`${path}: must be true or false`);
      return fallback;
    }
    return value;
  }

  /** Checks an optional object; returns it (or `{}`) for its fields to be checked next. */
  object(path: string, value: unknown): Record<string, unknown> {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problems.push(`${path}: must be an object`);
      return {};
    }
    return value as Record<string, unknown>;
  }

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    throw new AppwardenError('AW_CONFIG_INVALID', `${this.subject} options are invalid:\n  ${this.problems.join('\n  ')}`, {
      details: { problems: [...this.problems] },
    });
  }
}
