/**
 * `npm run demo [-- --headless] [-- --out DIR]`: Parley in one command (docs/protocol/demo.md).
 *
 * Starts a relay (the embedded in-memory one, in this process), a fake Google Calendar per person with a
 * realistic day seeded (scripts/demo/calendars.ts), and three Chromium profiles with the built extension:
 * Ana (London), Ben (New York) and Cy (Berlin), each set up through the extension's own pages (passphrase,
 * name, relay, calendar through the fake's OAuth, time zone and working hours) and paired Ana↔Ben, Ana↔Cy.
 * Then Ana types "find 30 minutes with Ben and Cy tomorrow afternoon" in her side panel, confirms, and each
 * person approves what their agent asks until the meeting is booked; the fakes' stores must then hold
 * exactly one new event per calendar, all at the same instant.
 *
 * With a display ($DISPLAY, no --headless) the three windows are visible and the steps are paced; without
 * one it runs headless. Either way it writes a screenshot per step and report.md + report.json into the
 * output directory (default .output/demo/), and stops everything it started on success, failure and Ctrl+C.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { createRelay } from '../relay/server';
import {
  OWNER_EMAIL,
  startFakeGoogleCalendar,
  type FakeGoogleCalendar,
} from '../tests/fakes/google-calendar';
import {
  ROOT,
  approveUntilBooked,
  calendarEvents,
  configure,
  connectCalendar,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  openConnectedPanel,
  pairPanels,
  removeProfileDir,
  setInput,
  setWorkingHours,
  waitFor,
  type AgentBrowser,
} from '../tests/e2e/harness';
import {
  COMMAND,
  DURATION_MIN,
  EVERY_DAY,
  NAMES,
  PEOPLE,
  commonFreeStarts,
  demoCalendars,
  googleEvent,
  localSpan,
  tomorrowIn,
  type Name,
} from './demo/calendars';

export interface DemoOptions {
  /** false: visible windows (needs a display). */
  headless: boolean;
  /** Where the screenshots and the report go; emptied of a previous run's files first. */
  outDir: string;
  /** Pause after each step, for a person watching (0 headless). */
  paceMs: number;
  /** Progress lines for the terminal. */
  log: (line: string) => void;
  /** Collects what the run starts, so that the caller can stop it all (also on Ctrl+C). */
  started: Started;
  /** Epoch ms; the demo's "tomorrow" is the day after it in Ana's zone. */
  now?: () => number;
}

export interface DemoStep {
  n: number;
  title: string;
  person?: Name;
  /** Since the demo started. */
  atMs: number;
  screenshot?: string;
}

export interface BookedEvent {
  title: string;
  start: string;
  end: string;
  /** The booked time in this person's own zone. */
  local: string;
  timeZone: string;
}

export interface DemoReport {
  ok: boolean;
  error?: string;
  mode: 'headless' | 'visible';
  command: string;
  /** Ana's "tomorrow", YYYY-MM-DD. */
  tomorrow: string;
  startedAt: string;
  durationMs: number;
  steps: DemoStep[];
  /** The half-hours the seeded calendars leave free for all three (worked out apart from the agents). */
  expectedSlots: string[];
  /** New events (not seeded) in each person's calendar after the negotiation. */
  calendars: Record<Name, BookedEvent[]>;
  oneEventPerCalendar: boolean;
  sameInstant: boolean;
  /** What was started, to check that it is gone afterwards. */
  started: { relayUrl?: string; fakeUrls: string[]; browserPids: number[]; profileDirs: string[] };
}

/** Everything a run starts, stopped in reverse order, once, whatever happened. */
export class Started {
  readonly relayUrls: string[] = [];
  readonly fakeUrls: string[] = [];
  readonly browserPids: number[] = [];
  readonly profileDirs: string[] = [];
  #stops: (() => Promise<void> | void)[] = [];
  #stopping: Promise<void> | undefined;

  /** What started after the stop began (a browser still launching on Ctrl+C) is stopped at once. */
  add(stop: () => Promise<void> | void): void {
    if (this.#stopping) {
      void this.#stopping
        .then(stop)
        .catch((error: unknown) => console.error(`demo: could not stop something: ${String(error)}`));
      return;
    }
    this.#stops.push(stop);
  }

  stopAll(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const stop of this.#stops.reverse()) {
        // One thing that fails to stop must not keep the others running.
        await Promise.resolve()
          .then(stop)
          .catch((error: unknown) => console.error(`demo: could not stop something: ${String(error)}`));
      }
    })();
    return this.#stopping;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the whole demo; throws when a step fails (the report is written either way). */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const { headless, outDir, paceMs, log, started } = options;
  const now = options.now ?? Date.now;
  const t0 = Date.now();
  const date = tomorrowIn(PEOPLE.Ana.timeZone, now());
  const seeds = demoCalendars(date);
  const report: DemoReport = {
    ok: false,
    mode: headless ? 'headless' : 'visible',
    command: COMMAND,
    tomorrow: date.toString(),
    startedAt: new Date(t0).toISOString(),
    durationMs: 0,
    steps: [],
    expectedSlots: commonFreeStarts(date).map((t) => new Date(t).toISOString()),
    calendars: { Ana: [], Ben: [], Cy: [] },
    oneEventPerCalendar: false,
    sameInstant: false,
    started: { fakeUrls: [], browserPids: [], profileDirs: [] },
  };
  prepareOutDir(outDir);
  const fakes = {} as Record<Name, FakeGoogleCalendar>;
  const seededIds = {} as Record<Name, Set<string>>;
  const agents = {} as Record<Name, AgentBrowser>;
  const panels = {} as Record<Name, Page>;

  const step = async (title: string, person?: Name, page?: Page) => {
    const n = report.steps.length + 1;
    const entry: DemoStep = { n, title, atMs: Date.now() - t0, ...(person && { person }) };
    report.steps.push(entry);
    writeReport(report, outDir);
    log(`${String(n).padStart(2)}. ${title}`);
    if (page) {
      const file = `${String(n).padStart(2, '0')}-${slug(title)}.png`;
      entry.screenshot = file;
      await page.bringToFront();
      writeFileSync(path.join(outDir, file), await page.screenshot({ fullPage: headless }));
    }
    if (paceMs > 0) await sleep(paceMs);
  };

  try {
    log('Building the extension (wxt build)…');
    ensureBuilt();

    const relay = createRelay();
    started.add(() => relay.close());
    const { url: relayUrl } = await relay.listen(0);
    started.relayUrls.push(relayUrl);
    report.started.relayUrl = relayUrl;
    for (const name of NAMES) {
      const person = PEOPLE[name];
      const fake = await startFakeGoogleCalendar({ port: 0 });
      started.add(() => fake.close());
      started.fakeUrls.push(fake.url);
      report.started.fakeUrls.push(fake.url);
      // The primary calendar, in the person's zone, with their day on it.
      fake.store.addCalendar({
        id: OWNER_EMAIL,
        summary: person.fullName,
        timeZone: person.timeZone,
        primary: true,
      });
      seededIds[name] = new Set(
        seeds[name].map((e) => fake.store.seedEvent('primary', googleEvent(e, person.timeZone)).id as string),
      );
      fakes[name] = fake;
    }
    await step(
      `Relay on ${relayUrl}; a fake Google Calendar per person, seeded for ${date.toString()} (${NAMES.map((n) => `${n}: ${seeds[n].length} events`).join(', ')})`,
    );

    const setUp = async (name: Name, i: number) => {
      const person = PEOPLE[name];
      const dir = makeProfileDir(`demo-${name.toLowerCase()}`);
      started.add(() => removeProfileDir(dir));
      started.profileDirs.push(dir);
      report.started.profileDirs.push(dir);
      const agent = await launchAgent(dir, undefined, {
        headless,
        env: { ...process.env, TZ: person.timeZone },
        handleSignals: false,
        args: headless ? [] : [`--window-size=520,940`, `--window-position=${i * 530},0`],
      });
      started.add(() => agent.close());
      const pid = agent.browser.process()?.pid;
      if (pid !== undefined) {
        started.browserPids.push(pid);
        report.started.browserPids.push(pid);
      }
      agents[name] = agent;
      await configure(agent, relayUrl, name);
      await connectCalendar(agent, fakes[name].url);
      await setWorkingHours(agent, {
        timeZone: person.timeZone,
        dayStart: person.dayStart,
        dayEnd: person.dayEnd,
        workingDays: EVERY_DAY,
      });
      const options = await agent.open('options');
      if (headless) await options.setViewport({ width: 800, height: 900 });
      await options.waitForSelector('[data-testid=preferences]');
      await step(
        `${name} is set up: passphrase, relay, Google Calendar connected, ${person.timeZone} ${person.dayStart}–${person.dayEnd} every day`,
        name,
        options,
      );
      await options.close();
      panels[name] = await openConnectedPanel(agent);
      if (headless) await panels[name].setViewport({ width: 420, height: 900 });
    };
    // One after the other: three browsers starting at once on a busy 2-core machine were seen to miss the
    // extension's 30-second start-up waits.
    for (const [i, name] of NAMES.entries()) await setUp(name, i);

    for (const other of ['Ben', 'Cy'] as const) {
      await pairPanels(panels.Ana, panels[other], 'Ana');
      await step(`${other} accepted Ana's invite: they are paired`, other, panels[other]);
    }

    const panel = panels.Ana;
    await panel.bringToFront();
    // The contact list refreshes when the pairing event reaches the side panel.
    await panel.waitForFunction(
      () =>
        ['Ben', 'Cy'].every((n) =>
          document.querySelector(`[data-testid=find-time-contact][data-name="${n}"]`),
        ),
      { timeout: 20_000 },
    );
    if (headless) await setInput(panel, '[data-testid=command-input]', COMMAND);
    else {
      await panel.focus('[data-testid=command-input]');
      await panel.keyboard.type(COMMAND, { delay: 60 });
    }
    await step(`Ana types “${COMMAND}”`, 'Ana', panel);
    await panel.click('[data-testid=command-submit]');
    await panel.waitForSelector('[data-testid=command-reply][data-intent=schedule] [data-testid=proposal]', {
      timeout: 30_000,
    });
    const proposal = await panel.$eval(
      '[data-testid=command-reply] [data-testid=proposal]',
      (el) => (el as HTMLElement).innerText,
    );
    await step(`Ana's agent proposes: ${oneLine(proposal)}`, 'Ana', panel);
    await panel.click('[data-testid=command-confirm]');
    await panel.waitForSelector('[data-testid=command-done]', { timeout: 30_000 });
    await step('Ana confirms: her agent asks Ben’s and Cy’s agents', 'Ana', panel);

    const title = `Meeting with Ben and Cy`;
    await approveUntilBooked(panels, NAMES, title, {
      timeoutMs: 120_000,
      onApproval: (name, shown) =>
        step(
          `${name} approves: ${oneLine(shown.description)}${shown.slots.length ? ` (${shown.slots.join('; ')})` : ''}`,
          name,
          panels[name],
        ),
    });
    for (const name of NAMES) await step(`${name}'s side panel shows the meeting booked`, name, panels[name]);

    // Each invitee adds its own copy right after it learns of the booking.
    const fresh = async (name: Name) =>
      (await calendarEvents(fakes[name].url)).filter((e) => !seededIds[name].has(e.id));
    await waitFor(
      async () => (await Promise.all(NAMES.map(fresh))).every((list) => list.length >= 1),
      30_000,
      'the booked event in every calendar',
    );
    for (const name of NAMES) {
      const zone = PEOPLE[name].timeZone;
      report.calendars[name] = (await fresh(name)).map((e) => {
        const start = Date.parse(e.start.dateTime ?? '');
        const end = Date.parse(e.end.dateTime ?? '');
        return {
          title: e.summary ?? '',
          start: new Date(start).toISOString(),
          end: new Date(end).toISOString(),
          local: localSpan(start, end, zone),
          timeZone: zone,
        };
      });
    }
    report.oneEventPerCalendar = NAMES.every((n) => report.calendars[n].length === 1);
    const starts = new Set(NAMES.flatMap((n) => report.calendars[n].map((e) => e.start)));
    const ends = new Set(NAMES.flatMap((n) => report.calendars[n].map((e) => e.end)));
    report.sameInstant = report.oneEventPerCalendar && starts.size === 1 && ends.size === 1;
    await step(
      `Calendars checked: ${NAMES.map((n) => `${n} ${report.calendars[n].length} new event(s)${report.calendars[n][0] ? ` at ${report.calendars[n][0].local}` : ''}`).join('; ')}`,
    );
    if (!report.oneEventPerCalendar) throw new Error('a calendar does not hold exactly one new event');
    if (!report.sameInstant) throw new Error('the booked events are not at the same time');
    const ana = report.calendars.Ana[0]!;
    if (Date.parse(ana.end) - Date.parse(ana.start) !== DURATION_MIN * 60_000)
      throw new Error(`the booked meeting does not last ${DURATION_MIN} minutes`);
    report.ok = true;
    return report;
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    for (const name of NAMES) {
      // Pictures of where each person was when it failed; a closed page is only skipped.
      await panels[name]
        ?.screenshot({ fullPage: headless })
        .then((png) => writeFileSync(path.join(outDir, `failed-${name.toLowerCase()}.png`), png))
        .catch(() => log(`(no failure screenshot for ${name}: its page is gone)`));
    }
    throw error;
  } finally {
    report.durationMs = Date.now() - t0;
    writeReport(report, outDir);
  }
}

function prepareOutDir(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const file of readdirSync(outDir)) {
    // Only what a previous run wrote: the directory may be one the person chose.
    if (/^(\d\d-.*|failed-.*)\.png$|^report\.(md|json)$/.test(file)) rmSync(path.join(outDir, file));
  }
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 48);

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export function reportMarkdown(report: DemoReport): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `# Parley demo: ${report.ok ? 'booked' : 'FAILED'}`,
    '',
    `- Command (Ana): “${report.command}”; tomorrow is ${report.tomorrow} in Ana's zone`,
    `- Mode: ${report.mode}; started ${report.startedAt}; took ${seconds(report.durationMs)}`,
    ...(report.error ? [`- Error: ${report.error}`] : []),
    `- One new event in each calendar: ${report.oneEventPerCalendar ? 'yes' : 'no'}; all at the same instant: ${report.sameInstant ? 'yes' : 'no'}`,
    `- The seeded calendars leave ${report.expectedSlots.length === 1 ? 'one half-hour' : `${report.expectedSlots.length} half-hours`} free for all three: ${report.expectedSlots.join(', ') || 'none'}`,
    '',
    '## Booked',
    '',
    '| person | zone | local time | event |',
    '|---|---|---|---|',
    ...NAMES.map((n) => {
      const events = report.calendars[n];
      return `| ${n} | ${PEOPLE[n].timeZone} | ${events.map((e) => e.local).join('; ') || '—'} | ${events.map((e) => e.title).join('; ') || '—'} |`;
    }),
    '',
    '## Steps',
    '',
    '| # | at | step | screenshot |',
    '|---|---|---|---|',
    ...report.steps.map(
      (s) =>
        `| ${s.n} | ${seconds(s.atMs)} | ${s.title.replace(/\|/g, '\\|')} | ${s.screenshot ? `[${s.screenshot}](${s.screenshot})` : ''} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

function writeReport(report: DemoReport, outDir: string): void {
  writeFileSync(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'report.md'), reportMarkdown(report));
}

/** The command line: flags, Ctrl+C, the exit code. */
export async function main(argv = process.argv.slice(2)): Promise<number> {
  const unknown = argv.filter((a, i) => !['--headless', '--out'].includes(a) && argv[i - 1] !== '--out');
  const at = argv.indexOf('--out');
  if (unknown.length || (at >= 0 && !argv[at + 1])) {
    console.error('usage: npm run demo [-- --headless] [-- --out DIR]   (default DIR: .output/demo)');
    return 2;
  }
  const outDir = path.resolve(at >= 0 ? argv[at + 1]! : path.join(ROOT, '.output/demo'));
  const headless = argv.includes('--headless') || !process.env.DISPLAY;
  const started = new Started();
  const log = (line: string) => console.log(line);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the browsers, the relay and the fake calendars…`);
    void started.stopAll().then(() => process.exit(130));
  };
  // `on`, not `once`: a second Ctrl+C (or tsx relaying the first) must not end the process mid-cleanup.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(`Parley demo, ${headless ? 'headless' : 'in three windows'}; screenshots and report: ${outDir}`);
  let code = 0;
  try {
    const report = await runDemo({ headless, outDir, paceMs: headless ? 0 : 1500, log, started });
    log(
      `Booked once in each calendar: ${NAMES.map((n) => `${n} ${report.calendars[n][0]?.local} (${PEOPLE[n].timeZone})`).join(', ')}`,
    );
    if (!headless) {
      log('Done. The windows close in 10 seconds.');
      await sleep(10_000);
    }
  } catch (error) {
    if (interrupted) return 130;
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    code = 1;
  } finally {
    // Also after Ctrl+C: the same stop, awaited before the process exits.
    await started.stopAll();
  }
  log(`Report: ${path.join(outDir, 'report.md')} (and report.json, one screenshot per step)`);
  return code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exit(await main());
}
