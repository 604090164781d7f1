// The result table (terminal and Markdown) and the check of each figure against its target.
import { SCALE_P99_FACTOR, SCALE_RSS_LIMIT, STARTUP_LIMIT_MS, TARGETS } from './scenarios.mjs';

const mb = (bytes) => (bytes === undefined ? 'n/a' : (bytes / 1024 / 1024).toFixed(0));
const us = (v) => (v === undefined ? 'n/a' : v.toFixed(1));
const ms = (v) => (v === undefined ? 'n/a' : v < 1 ? v.toFixed(2) : v < 10 ? v.toFixed(1) : v.toFixed(0));

/**
 * One row per scenario (7 as 7.1, 7.3, 7.5), each with the bare baseline measured just before it;
 * the ratio is to that baseline.
 */
function rows(report) {
  const out = [];
  const empty = report.zones.empty?.results ?? {};
  for (const [n, r] of Object.entries(empty)) {
    const t = TARGETS[n];
    if (r.skipped) {
      out.push({ id: n, title: r.title, skipped: r.skipped });
      continue;
    }
    const ratio = r.rps / r.baseline.rps;
    out.push({
      id: n,
      title: r.title,
      ...r,
      ratio,
      target: t ? `≥ ${t.ratio.toFixed(2)}, p99 < ${t.p99} ms` : '(report)',
      met: t ? (ratio >= t.ratio && r.p99 < t.p99 ? 'yes' : 'NO') : '',
    });
  }
  const scale = report.zones.scale?.results ?? {};
  for (const [n, r] of Object.entries(scale)) {
    const ref = empty[n];
    const factor = ref && !ref.skipped ? r.p99 / ref.p99 : undefined;
    const ok = factor !== undefined && factor <= SCALE_P99_FACTOR && r.rss < SCALE_RSS_LIMIT;
    out.push({
      id: `7.${n}`,
      title: `large zone: ${r.title}`,
      ...r,
      ratio: r.rps / r.baseline.rps,
      target: `p99 ≤ ${SCALE_P99_FACTOR}× empty (${factor === undefined ? 'n/a' : factor.toFixed(2) + '×'}), RSS < ${mb(SCALE_RSS_LIMIT)} MB`,
      met: ok ? 'yes' : 'NO',
    });
  }
  return out;
}

/** Every target that applies to this run, met or not. */
export function verdicts(report, wanted) {
  const list = rows(report)
    .filter((r) => r.met)
    .map((r) => ({ scenario: r.id, target: r.target, met: r.met === 'yes' }));
  for (const [name, zone] of Object.entries(report.zones)) {
    list.push({ scenario: `start-up (${name} zone)`, target: `< ${STARTUP_LIMIT_MS} ms`, met: zone.startupMs < STARTUP_LIMIT_MS, ms: zone.startupMs });
  }
  for (const n of wanted) {
    if (n <= 6 && !report.zones.empty?.results[n]) list.push({ scenario: String(n), target: 'ran', met: false });
  }
  return list;
}

function cells(r) {
  if (r.skipped) return [r.id, r.title, '', '', '', '', '', '', '', '', `skipped: ${r.skipped}`, ''];
  const problems = [r.errors ? `${r.errors} errors` : '', r.non2xx ? `${r.non2xx} non-2xx` : '', r.exhausted ? 'ran out of users' : '']
    .filter(Boolean)
    .join(', ');
  return [
    r.id,
    r.title,
    Math.round(r.rps).toLocaleString('en'),
    ms(r.p50),
    ms(r.p99),
    mb(r.rss),
    Math.round(r.baseline.rps).toLocaleString('en'),
    r.ratio.toFixed(2),
    us(r.cpuPerRequest),
    us(r.baseline.cpuPerRequest),
    r.target + (problems ? ` [${problems}]` : ''),
    r.met,
  ];
}

const HEAD = ['#', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'baseline req/s', '× baseline', 'server CPU µs/req', 'baseline CPU µs/req', 'target', 'met'];
const NUMERIC = new Set([2, 3, 4, 5, 6, 7, 8, 9]);

/** With --rounds: every round's ratio, the reported (median) one among them. */
function roundLines(report) {
  if (!(report.settings.rounds > 1)) return [];
  return rows(report)
    .filter((r) => r.rounds)
    .map((r) => `scenario ${r.id}: ratio per round ${r.rounds.map((x) => x.toFixed(2)).join(', ')} (median reported)`);
}

function startupLines(report) {
  return Object.entries(report.zones).map(
    ([name, z]) =>
      `start-up, ${name} zone (existing data dir, spawn to first answer): ${z.startupMs.toFixed(0)} ms (target < ${STARTUP_LIMIT_MS} ms); seeding took ${z.seedSeconds.toFixed(1)} s`,
  );
}

export function printTable(report) {
  const table = [HEAD, ...rows(report).map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  const line = (row) => row.map((c, i) => (NUMERIC.has(i) ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  const out = [
    '',
    `${report.date}  ${report.command}`,
    `${report.machine.cores} cores (${report.machine.cpu}), Node ${report.machine.node}, ${report.machine.db}, ${report.settings.connections} connections, ${report.settings.duration} s per scenario`,
    '',
    line(table[0]),
    ...table.slice(1).map(line),
    '',
    ...roundLines(report),
    ...startupLines(report),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
}

export function markdownTable(report) {
  const table = rows(report).map(cells);
  const esc = (c) => String(c).replaceAll('|', '\\|');
  return [
    `Measured ${report.date.slice(0, 10)} with \`${report.command}\` (${report.machine.cores} cores, ${report.machine.cpu}, Node ${report.machine.node}, ${report.machine.db}, ${report.settings.connections} connections, ${report.settings.duration} s per scenario after ${report.settings.warmup} s warm-up${report.settings.rounds > 1 ? `, ${report.settings.rounds} rounds` : ''}, server log level warn).`,
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (NUMERIC.has(i) ? '---:' : '---')).join('|')}|`,
    ...table.map((row) => `| ${row.map(esc).join(' | ')} |`),
    '',
    ...roundLines(report).map((l) => `- ${l}`),
    ...startupLines(report).map((l) => `- ${l}`),
    '',
  ].join('\n');
}
