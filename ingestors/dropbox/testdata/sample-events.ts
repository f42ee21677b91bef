import { readFileSync } from 'node:fs';

const here = new URL('./', import.meta.url);

/** The non-empty lines of a sample file. */
export function sampleLines(file: string): string[] {
  return readFileSync(new URL(`samples/${file}`, here), 'utf8').split('\n').filter((line) => line.trim() !== '');
}

/** Every sample event with its golden name: the loose events, then those of the get_events response page. */
export function sampleEvents(): Array<{ name: string; line: string }> {
  const loose = [...sampleLines('team_events.jsonl'), ...sampleLines('team_events_panther_normalized.jsonl')];
  const page = sampleLines('team_log_get_events_response_page.jsonl').flatMap((l) => (JSON.parse(l) as { events: unknown[] }).events.map((e) => JSON.stringify(e)));
  return [...loose, ...page].map((line, i) => {
    const raw = JSON.parse(line) as { event_type: Record<string, string> };
    return { name: `${String(i + 1).padStart(2, '0')}-${raw.event_type['.tag'] ?? raw.event_type._tag}`, line };
  });
}
