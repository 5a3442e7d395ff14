/** The Pipeline and Tasks panels: what they show and the events they raise. */
import '../../src/ui/panels/PipelinePanel.js';
import '../../src/ui/panels/TasksPanel.js';
import type { ScenarioLoadDetail } from '../../src/ui/panels/PipelinePanel.js';
import type { TaskCancelDetail, TaskRow } from '../../src/ui/panels/TasksPanel.js';
import type { PipelineHostStatus } from '../../src/workers/index.js';
import { check, checkEqual, cleanup, collect, fixture } from './assert.js';

const running: PipelineHostStatus = {
  state: 'running',
  restarts: 1,
  lastFault: undefined,
  setAsideRun: undefined,
  pipeline: {
    role: 'standby',
    runId: 'run-1',
    scenario: 'hard',
    runTimeS: 42,
    confirmedTracks: 0,
    leaseHolder: 'node-b',
    leaseExpires: undefined,
    score: undefined,
    problem: undefined,
    setAside: [],
    timing: undefined,
  },
};

describe('<lattice-pipeline-panel>', () => {
  afterEach(cleanup);

  it('shows the run, who computes it and a worker fault', async () => {
    const panel = fixture('lattice-pipeline-panel');
    panel.status = running;
    panel.fault = { message: 'Fault drill: a pipeline step failed on purpose.', stack: undefined, at: Date.UTC(2026, 0, 1, 12, 0, 0), restartInMs: 500 };
    await panel.updateComplete;
    const text = panel.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    check(text.includes('hard · 42 s'), 'the run');
    check(text.includes('another node computes; this one stands by'), 'this node stands by');
    check(text.includes('node-b'), 'who computes');
    check(text.includes('1 restart'), 'restarts');
    check(panel.shadowRoot!.querySelector('[role=alert]')!.textContent!.includes('failed on purpose'), 'the fault is an alert');
  });

  it('says in plain words what the pipeline set aside: a run and entities', async () => {
    const panel = fixture('lattice-pipeline-panel');
    const message = 'The pipeline set run run-1 aside: it crashed the worker 2 times (boom). This node computes nothing until another scenario is loaded; load another scenario.';
    panel.status = {
      ...running,
      setAsideRun: { runId: 'run-1', error: 'boom', at: 0, message },
      pipeline: { ...running.pipeline!, role: 'idle', problem: 'This node set run run-1 aside.', setAside: [{ id: 'fus.x', stage: 'tasking', reason: 'Entity id "task.r" is not valid.' }] },
    };
    await panel.updateComplete;
    const alerts = [...panel.shadowRoot!.querySelectorAll('[role=alert]')].map((a) => a.textContent!.replace(/\s+/g, ' ').trim());
    check(alerts.includes(message), 'the set-aside run, once');
    check(!alerts.some((a) => a.startsWith('This node set run')), 'not twice');
    check(alerts.some((a) => a.includes('set an entity aside') && a.includes('fus.x (tasking: Entity id')), 'the set-aside entity');
  });

  it('raises scenario-load with the chosen scenario and seed, and not with a bad seed', async () => {
    const panel = fixture('lattice-pipeline-panel');
    panel.canLoad = true;
    await panel.updateComplete;
    const loads = collect<ScenarioLoadDetail>(document.body, 'scenario-load');
    const select = panel.shadowRoot!.querySelector('select')!;
    select.value = 'hard';
    select.dispatchEvent(new Event('change'));
    const seed = panel.shadowRoot!.querySelector<HTMLInputElement>('input[name=seed]')!;
    seed.value = '7';
    panel.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    checkEqual(loads, [{ source: { builtin: 'hard' }, seed: 7 }], 'load raised');
    seed.value = '-3';
    panel.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    // The form's own constraints (whole number ≥ 0) stop it before anything is raised.
    check(!seed.checkValidity(), 'the browser flags the seed');
    checkEqual(loads.length, 1, 'no event for a bad seed');
  });

  it('asks before a load replaces the mesh\'s run: declining changes nothing, confirming loads', async () => {
    const panel = fixture('lattice-pipeline-panel');
    panel.canLoad = true;
    panel.status = running;
    await panel.updateComplete;
    const loads = collect<ScenarioLoadDetail>(document.body, 'scenario-load');
    const root = panel.shadowRoot!;
    const load = root.querySelector<HTMLButtonElement>('button[type=submit]')!;
    const dialog = (): HTMLDialogElement | null => root.querySelector('dialog');
    load.click();
    await panel.updateComplete;
    checkEqual(loads, [], 'nothing raised before the operator answers');
    check(dialog()?.open === true && dialog()!.matches(':modal'), 'a modal dialog asks');
    const title = root.getElementById(dialog()!.getAttribute('aria-labelledby')!)!;
    checkEqual(title.textContent, "Replace the mesh's scenario?", 'named by its title');
    check(root.getElementById(dialog()!.getAttribute('aria-describedby')!)!.textContent!.includes('“hard” is running. Loading “default” ends it on every node'), 'says what is replaced');
    checkEqual(root.activeElement?.textContent?.trim(), 'Keep the current run', 'focus starts on the safe answer');
    root.querySelector<HTMLButtonElement>('dialog .keep')!.click();
    await panel.updateComplete;
    checkEqual(dialog(), null, 'declined: the dialog is gone');
    checkEqual(loads, [], 'declined: nothing loaded');

    // Escape (the dialog's cancel) declines too.
    load.click();
    await panel.updateComplete;
    dialog()!.dispatchEvent(new Event('cancel', { cancelable: true }));
    await panel.updateComplete;
    checkEqual(dialog(), null, 'cancelled: the dialog is gone');
    checkEqual(loads, [], 'cancelled: nothing loaded');

    panel.offline = true;
    load.click();
    await panel.updateComplete;
    check(dialog()!.textContent!.includes('This node is offline: the replacement reaches the mesh when it reconnects'), 'an offline node says when it takes effect');
    root.querySelector<HTMLButtonElement>('dialog .confirm')!.click();
    await panel.updateComplete;
    checkEqual(loads, [{ source: { builtin: 'default' }, seed: undefined }], 'confirmed: loaded once');
    checkEqual(dialog(), null, 'and the dialog is gone');
  });

  it('asks before End run ends the mesh\'s run: Keep or Escape changes nothing, confirming ends it once', async () => {
    const panel = fixture('lattice-pipeline-panel');
    panel.canLoad = true;
    panel.status = running;
    await panel.updateComplete;
    const ends = collect<void>(document.body, 'scenario-unload');
    const root = panel.shadowRoot!;
    const end = [...root.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === 'End run')!;
    const dialog = (): HTMLDialogElement | null => root.querySelector('dialog');
    end.focus();
    end.click();
    await panel.updateComplete;
    checkEqual(ends.length, 0, 'nothing raised before the operator answers');
    check(dialog()?.open === true && dialog()!.matches(':modal'), 'a modal dialog asks');
    checkEqual(root.getElementById(dialog()!.getAttribute('aria-labelledby')!)!.textContent, "End the mesh's run?", 'named by its title');
    check(root.getElementById(dialog()!.getAttribute('aria-describedby')!)!.textContent!.includes('“hard” is running. Ending it stops it on every node'), 'says what ends');
    checkEqual(root.activeElement?.textContent?.trim(), 'Keep the current run', 'focus starts on the safe answer');
    root.querySelector<HTMLButtonElement>('dialog .keep')!.click();
    await panel.updateComplete;
    checkEqual(dialog(), null, 'kept: the dialog is gone');
    checkEqual(ends.length, 0, 'kept: nothing ended');
    end.click();
    await panel.updateComplete;
    dialog()!.dispatchEvent(new Event('cancel', { cancelable: true }));
    await panel.updateComplete;
    checkEqual(ends.length, 0, 'Escape: nothing ended');
    end.click();
    await panel.updateComplete;
    const confirm = root.querySelector<HTMLButtonElement>('dialog .confirm')!;
    checkEqual(confirm.textContent!.trim(), 'End run', 'the confirming button says what it does');
    confirm.click();
    await panel.updateComplete;
    checkEqual(ends.length, 1, 'confirmed: ended once');
    checkEqual(dialog(), null, 'and the dialog is gone');
  });

  it('disables loading for a viewer, and says why in one line', async () => {
    const panel = fixture('lattice-pipeline-panel');
    panel.canLoad = false;
    panel.viewer = true;
    await panel.updateComplete;
    check(panel.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.disabled, 'load disabled');
    const enabled = [...panel.shadowRoot!.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('button, input, select')].filter((c) => !c.disabled);
    checkEqual(enabled.length, 0, 'no enabled pipeline control');
    check(panel.shadowRoot!.textContent!.includes('Viewer: you can watch but not decide or run the pipeline'), 'says why');
  });
});

const row = (id: string, status: TaskRow['status']): TaskRow => ({
  id,
  kind: 'intercept',
  targetId: `trk-${id}`,
  assetId: 'scn.jet',
  requestId: id,
  status,
  journal: [{ entry: { kind: 'task', taskId: id, status: 'created', note: 'intercept' }, at: { wall: Date.UTC(2026, 0, 1, 12), counter: 0, node: 'n1' } }],
});

describe('<lattice-tasks-panel>', () => {
  afterEach(cleanup);

  it('lists tasks with their status and journal, and lets an operator cancel one that is not done, once confirmed', async () => {
    const panel = fixture('lattice-tasks-panel');
    panel.tasks = [row('a', 'executing'), row('b', 'done_ok')];
    panel.canCancel = true;
    await panel.updateComplete;
    const items = panel.shadowRoot!.querySelectorAll('ul[aria-label=Tasks] > li');
    checkEqual(items.length, 2, 'two tasks');
    check(items[0]!.textContent!.includes('executing') && items[0]!.textContent!.includes('12:00:00Z created'), 'status and journal');
    checkEqual(items[1]!.querySelector('button.cancel'), null, 'a finished task cannot be cancelled');
    const cancels = collect<TaskCancelDetail>(document.body, 'task-cancel');
    const first = () => panel.shadowRoot!.querySelectorAll('ul[aria-label=Tasks] > li')[0]!;
    first().querySelector<HTMLButtonElement>('button.cancel')!.click();
    await panel.updateComplete;
    checkEqual(cancels.length, 0, 'Cancel alone cancels nothing: it asks first');
    const confirm = first().querySelector('[role=group].confirm');
    check(confirm !== null && confirm.textContent!.includes('cannot be resumed'), 'asks to confirm');
    await panel.updateComplete;
    checkEqual(panel.shadowRoot!.activeElement?.className, 'keep', 'focus on the safe choice');
    first().querySelector<HTMLButtonElement>('button.keep')!.click();
    await panel.updateComplete;
    checkEqual(cancels.length, 0, 'kept running');
    checkEqual(first().querySelector('.confirm'), null, 'the question is gone');
    first().querySelector<HTMLButtonElement>('button.cancel')!.click();
    await panel.updateComplete;
    first().querySelector<HTMLButtonElement>('button.yes')!.click();
    checkEqual(cancels, [{ taskId: 'a' }], 'cancel raised once confirmed');
  });

  it('shows an intercept under way with its range, bearing and time to go, and not a finished one', async () => {
    const panel = fixture('lattice-tasks-panel');
    const geometry = { distanceM: 24_600, bearingDeg: 87.6, closingMps: 300, timeToGoS: 82 };
    panel.tasks = [{ ...row('a', 'executing'), geometry }, { ...row('b', 'done_ok'), geometry }];
    panel.nameOf = (id) => (id === 'scn.jet' ? 'jet' : id);
    await panel.updateComplete;
    const lines = [...panel.shadowRoot!.querySelectorAll('.geometry')].map((p) => p.textContent!.replace(/\s+/g, ' ').trim());
    checkEqual(lines, ['jet → trk-a: 24.6 km · 13.3 NM, brg 088°, 1:22 to go'], 'one line, for the task under way');
    checkEqual(panel.shadowRoot!.querySelector('.geometry')!.getAttribute('aria-label'), 'Range and time to go of the intercept of trk-a', 'named');
  });

  it('offers no cancel to a viewer', async () => {
    const panel = fixture('lattice-tasks-panel');
    panel.tasks = [row('a', 'executing')];
    panel.canCancel = false;
    await panel.updateComplete;
    checkEqual(panel.shadowRoot!.querySelector('button.cancel'), null, 'no cancel button');
  });
});
