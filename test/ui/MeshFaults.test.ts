/**
 * The Mesh tab's link faults and topology: forms driven by pointer and keys, found by role and
 * accessible name, acting on in-memory nodes whose fault table is the real one.
 */
import { sendKeys } from '@web/test-runner-commands';
import '../../src/ui/panels/MeshPanel.js';
import '../../src/ui/panels/StatusBar.js';
import type { MeshPanel } from '../../src/ui/panels/MeshPanel.js';
import { mountApp } from '../../src/ui/mountApp.js';
import { describeFault, describePolicy, parseAmount } from '../../src/ui/faultText.js';
import { CLEAN_LINK } from '../../src/peer/faults/LinkFaults.js';
import type { LinkInfo } from '../../src/peer/LatticeNode.js';
import { MemoryMesh, MemoryNode } from './MemoryNode.js';
import { check, checkEqual, cleanup, fixture, waitUntil } from './assert.js';
import { byRole, click, queryRole, squash } from './roles.js';

/** Chooses an option of a select with the keyboard: focus, then type the start of its text. */
async function choose(select: HTMLSelectElement, text: string): Promise<void> {
  select.focus();
  await sendKeys({ type: text });
  const option = [...select.options].find((o) => squash(o.textContent).startsWith(text));
  checkEqual(select.value, option?.value, `typing "${text}" chose it`);
}

/** Types into a field with the keyboard, replacing what is there. */
async function typeInto(input: HTMLInputElement, text: string): Promise<void> {
  input.focus();
  input.select();
  await sendKeys({ press: 'Backspace' });
  if (text) await sendKeys({ type: text });
}

/** Three nodes in one mesh and alpha's Mesh panel, kept current as the app keeps it. */
function threeNodes() {
  const mesh = new MemoryMesh();
  const alpha = new MemoryNode({ nodeId: 'a1', name: 'alpha', room: 'faults' });
  const bravo = new MemoryNode({ nodeId: 'b1', name: 'bravo', room: 'faults' });
  const charlie = new MemoryNode({ nodeId: 'c1', name: 'charlie', room: 'faults' });
  mesh.add(alpha);
  mesh.add(bravo);
  mesh.add(charlie, 'broadcastchannel');
  const panel = meshPanel(alpha);
  return { mesh, alpha, bravo, charlie, panel };
}

function meshPanel(node: MemoryNode): MeshPanel {
  const panel = fixture('lattice-mesh-panel', 400, 1500);
  panel.node = node;
  panel.identity = node.identity;
  panel.status = node.status();
  node.on('status', (s) => (panel.status = s));
  return panel;
}

const faultItems = (panel: MeshPanel): string[] => {
  const list = queryRole(panel.shadowRoot!, 'list', 'Link faults in force');
  return list ? [...list.querySelectorAll('li')].map((li) => squash(li.querySelector('.desc')?.textContent)) : [];
};

describe('link faults in words', () => {
  it('reads as an operator says it', () => {
    const name = (id: string) => ({ a1: 'alpha', b1: 'bravo', c1: 'charlie' })[id] ?? id;
    checkEqual(describeFault({ kind: 'cut', a: 'a1', b: 'b1' }, name), 'alpha ✕ bravo cut', 'cut');
    checkEqual(describeFault({ kind: 'split', groups: [['a1'], ['b1', 'c1']] }, name), 'split: alpha | bravo, charlie', 'split');
    const impair = { latencyMs: 100, jitterMs: 50, loss: 0.05, duplicate: 0, reorder: 0, bandwidthBps: 0 };
    checkEqual(describeFault({ kind: 'impair', a: 'c1', ...impair }, name), 'charlie: +100 ms ± 50 ms, 5 % loss', 'all of a node’s links');
    checkEqual(
      describeFault({ kind: 'impair', a: 'a1', b: 'zz9', latencyMs: 0, jitterMs: 0, loss: 0, duplicate: 0.02, reorder: 0.005, bandwidthBps: 8000 }, name),
      'alpha – zz9: 2 % duplicated, 0.5 % reordered, ≤ 8.0 kB/s',
      'one link; an unknown id as it is',
    );
    checkEqual([describePolicy(CLEAN_LINK), describePolicy({ ...CLEAN_LINK, cut: true }), describePolicy({ ...CLEAN_LINK, cut: true, latencyMs: 20 })], ['clean', 'cut', 'cut; +20 ms'], 'policies');
    checkEqual([parseAmount('', 'Loss'), parseAmount(' 12.5 ', 'Loss'), parseAmount('-1', 'Loss')], [0, 12.5, { error: 'Loss must be a number, got "-1".' }], 'typed amounts');
  });
});

describe('Mesh panel: link faults', () => {
  afterEach(cleanup);

  it('cuts the link between two named nodes with pointer and keys, shows it on every node, and heals it', async () => {
    const { alpha, bravo, charlie, panel } = threeNodes();
    await panel.updateComplete;
    const root = panel.shadowRoot!;
    check(squash(root.textContent).includes('No link faults'), 'none at first');
    checkEqual(byRole<HTMLSelectElement>(root, 'combobox', 'First node').value, 'a1', 'this node is the first node by default');
    await choose(byRole(root, 'combobox', 'Second node'), 'charlie');
    await click(byRole(root, 'button', 'Cut'));
    const set = alpha.faults.list();
    checkEqual(set.map((f) => [f.spec, f.healed]), [[{ kind: 'cut', a: 'a1', b: 'c1' }, false]], 'node.faults.cut was called with both nodes');
    await waitUntil(() => faultItems(panel).length === 1, 'the fault is listed');
    checkEqual(faultItems(panel), ['alpha ✕ charlie cut'], 'in words');
    const who = squash(root.querySelector('lattice-link-faults')!.shadowRoot!.querySelector('[data-fault] .who')?.textContent);
    check(/^set by alpha · \d+ s ago$/.test(who), `who set it, and when: "${who}"`);
    checkEqual(squash(root.querySelector('.faults-line')?.textContent), '1 link fault in force', 'the header says so');
    // The table is mesh-wide: charlie's and bravo's panels show it too.
    const onCharlie = meshPanel(charlie);
    await waitUntil(() => faultItems(onCharlie).includes('alpha ✕ charlie cut'), 'charlie shows the fault');
    checkEqual(bravo.faults.list().length, 1, 'bravo heard of it');
    checkEqual(charlie.status().faults, 1, "charlie's status counts it");
    // The link to charlie is cut in alpha's direct links.
    const charlieLink = () => squash(root.querySelector('lattice-topology-view')!.shadowRoot!.querySelector('tr[data-link=c1]')?.textContent);
    await waitUntil(() => charlieLink().includes('cut'), () => `the link to charlie shows the cut: "${charlieLink()}"`);

    // Heal it from charlie's panel, by keyboard.
    byRole(onCharlie.shadowRoot!, 'button', 'Heal alpha ✕ charlie cut').focus();
    await sendKeys({ press: 'Enter' });
    checkEqual(charlie.faults.list()[0]?.healed, true, 'healed by node.faults.heal');
    await waitUntil(() => faultItems(panel).length === 0 && faultItems(onCharlie).length === 0, 'gone from both panels');
    checkEqual(alpha.faults.list()[0]?.healed, true, 'alpha heard of the heal');
    await waitUntil(() => charlieLink().includes('clean'), 'the link is clean again');
    check(squash(root.textContent).includes('No link faults'), 'header');
  });

  it('splits the mesh into two groups, and heals all', async () => {
    const { alpha, panel } = threeNodes();
    await panel.updateComplete;
    const root = panel.shadowRoot!;
    await click(byRole(root, 'button', 'Split'));
    await waitUntil(() => faultItems(panel).length === 1, 'split listed');
    checkEqual(faultItems(panel), ['split: alpha | bravo, charlie'], 'this node against the rest by default');
    await choose(byRole(root, 'combobox', 'Group of bravo'), 'Group 1');
    byRole(root, 'button', 'Split').focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => faultItems(panel).length === 2, 'second split listed');
    checkEqual(faultItems(panel)[1], 'split: alpha, bravo | charlie', 'bravo moved to group 1');
    await click(byRole(root, 'button', 'Heal all faults'));
    await waitUntil(() => faultItems(panel).length === 0, 'all healed');
    check(alpha.faults.list().every((f) => f.healed), 'every fault healed on the node');
  });

  it("impairs a node's links, and shows the node's refusal of a bad impairment", async () => {
    const { alpha, panel } = threeNodes();
    await panel.updateComplete;
    const root = panel.shadowRoot!;
    const alert = () => squash(root.querySelector('lattice-link-faults')!.shadowRoot!.querySelector('[role=alert]')?.textContent);
    const field = (name: string) => byRole<HTMLInputElement>(root, 'textbox', name);
    await typeInto(field('Latency (ms)'), '70000');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => alert() !== '', 'a refusal is shown');
    checkEqual(alert(), 'Not done: Latency must be 0–60000 ms.', "the node's ValidationError, for a person");
    await typeInto(field('Latency (ms)'), '100');
    await typeInto(field('Loss (%)'), '100');
    await click(byRole(root, 'button', 'Impair'));
    await waitUntil(() => alert().includes('Loss of 1'), 'full loss refused');
    checkEqual(alert(), 'Not done: Loss of 1 is a cut: use a cut.', 'refusal');
    await typeInto(field('Loss (%)'), 'lots');
    await click(byRole(root, 'button', 'Impair'));
    await waitUntil(() => alert().includes('lots'), 'text that is not a number is refused here');
    checkEqual(alert(), 'Loss must be a number, got "lots".', 'inline');
    checkEqual(field('Loss (%)').getAttribute('aria-invalid'), 'true', 'the field is marked');
    checkEqual(alpha.faults.list(), [], 'nothing was set');

    await choose(byRole(root, 'combobox', 'Node'), 'charlie');
    await typeInto(field('Jitter (ms)'), '50');
    await typeInto(field('Loss (%)'), '5');
    await click(byRole(root, 'button', 'Impair'));
    await waitUntil(() => faultItems(panel).length === 1, 'impairment listed');
    checkEqual(faultItems(panel), ['charlie: +100 ms ± 50 ms, 5 % loss'], 'in words');
    checkEqual(alert(), '', 'the refusal is gone');
    checkEqual(alpha.faults.list()[0]!.spec, { kind: 'impair', a: 'c1', latencyMs: 100, jitterMs: 50, loss: 0.05, duplicate: 0, reorder: 0, bandwidthBps: 0 }, 'what reached the API');
    const link = squash(root.querySelector('lattice-topology-view')!.shadowRoot!.querySelector('tr[data-link=c1]')?.textContent);
    check(link.includes('+100 ms ± 50 ms, 5 % loss'), `alpha's link to charlie is impaired: ${link}`);
  });
});

describe('Mesh panel: topology', () => {
  afterEach(cleanup);

  it('shows who links to whom, the route to a node with no direct link, each link with its counters, and refusals by peer', async () => {
    const alpha = new MemoryNode({ nodeId: 'a1', name: 'alpha' });
    const link: LinkInfo = {
      peerId: 'p-b1',
      nodeId: 'b1',
      name: 'bravo',
      kind: 'webrtc',
      since: Date.now() - 60_000,
      lastHeard: Date.now() - 2000,
      policy: { ...CLEAN_LINK, latencyMs: 20, loss: 0.1 },
      faulted: { cut: 0, lost: 4, duplicated: 0, reordered: 0, delayed: 31 },
      rejected: 2,
      antiEntropy: { rounds: 14, syncRepairs: 1, rangeRepairs: 1, entities: 5 },
      verified: true,
      fingerprint: '3F2A-09C1-77D0-B4E8',
    };
    // Alpha's link to charlie is up but cut, so it is no edge of the topology, and charlie is reached through bravo.
    alpha.linkInfo = [link, { ...link, peerId: 'p-c1', nodeId: 'c1', name: 'charlie', policy: { ...CLEAN_LINK, cut: true } }];
    alpha.topologyInfo = {
      nodes: [
        { nodeId: 'a1', name: 'alpha', self: true },
        { nodeId: 'b1', name: 'bravo', self: false },
        { nodeId: 'c1', name: 'charlie', self: false },
        { nodeId: 'd1', name: 'delta', self: false },
      ],
      edges: [
        ['a1', 'b1'],
        ['b1', 'c1'],
      ],
    };
    alpha.setStatus({ rejectedByPeer: { charlie: 1, bravo: 3 } });
    const panel = meshPanel(alpha);
    await panel.updateComplete;
    const view = panel.shadowRoot!.querySelector('lattice-topology-view')!;
    await view.updateComplete;
    const table = byRole(view.shadowRoot!, 'table', 'Who links to whom');
    const row = (id: string) => [...table.querySelectorAll(`tr[data-node=${id}] > *`)].map((c) => squash(c.textContent));
    checkEqual(row('a1'), ['alpha', 'bravo', 'this node'], 'this node');
    checkEqual(row('b1'), ['bravo', 'alpha, charlie', 'direct'], 'a direct link');
    checkEqual(row('c1'), ['charlie', 'bravo', 'via bravo'], 'the route to a node whose direct link is cut');
    checkEqual(row('d1'), ['delta', 'none', 'no route'], 'a node no one links to');
    checkEqual(view.shadowRoot!.querySelectorAll('svg line').length, 2, 'the graph draws both edges');
    checkEqual(view.shadowRoot!.querySelectorAll('svg circle').length, 4, 'and every node');
    const links = byRole(view.shadowRoot!, 'table', 'Direct links from here');
    checkEqual(
      [...links.querySelectorAll('tr[data-link=b1] > *')].map((c) => squash(c.textContent)),
      ['bravo WebRTC · 2 s ago', '✓ verified 3F2A-09C1-77D0-B4E8', '+20 ms, 10 % loss', 'faulted: 4 lost, 31 delayed 2 refused', '14 rounds 2 repairs (5 entities)'],
      'kind, last heard, faults, faulted and refused messages, anti-entropy',
    );
    checkEqual(squash(panel.shadowRoot!.querySelector('.refused')?.textContent), 'bravo: 3 refused · charlie: 1 refused', 'refusals, named');
    // Anti-entropy on demand, by pointer.
    const compare = byRole(panel.shadowRoot!, 'button', 'Compare and repair now') as HTMLButtonElement;
    checkEqual(compare.disabled, false, 'enabled with links');
    compare.click();
    checkEqual(alpha.antiEntropyCalls, 1, 'the node compares digests with its peers now');
  });

  it('marks a cut link between two other nodes in the graph and the table', async () => {
    const { alpha, bravo, charlie, panel } = threeNodes();
    // As the real node reports it: the cut link is no edge (it carries nothing).
    alpha.topologyInfo = { nodes: alpha.topology().nodes, edges: [['a1', 'b1'], ['a1', 'c1']] };
    bravo.faults.cut('bravo', 'charlie');
    await waitUntil(() => faultItems(panel).length === 1, 'the cut reached alpha');
    const view = panel.shadowRoot!.querySelector('lattice-topology-view')!;
    await view.updateComplete;
    checkEqual(view.shadowRoot!.querySelectorAll('svg line').length, 3, 'both links and the cut pair are drawn');
    checkEqual(view.shadowRoot!.querySelectorAll('svg line.cut').length, 1, 'the cut one dashed');
    const cell = squash(view.shadowRoot!.querySelector('tr[data-node=b1] td')?.textContent);
    checkEqual(cell, 'alpha, charlie (cut)', 'bravo’s link to charlie is cut');
    checkEqual(charlie.status().faults, 1, 'charlie counts it');
    checkEqual(alpha.status().faults, 0, 'alpha is not named by it');
  });
});

describe('Mesh panel: keys', () => {
  afterEach(cleanup);

  it("shows this node's fingerprint and its operator's, and each link's key: verified or still proving it", async () => {
    const alpha = new MemoryNode({ nodeId: 'a1', name: 'alpha' });
    const none = { cut: 0, lost: 0, duplicated: 0, reordered: 0, delayed: 0 };
    const base = { kind: 'memory' as const, since: Date.now(), lastHeard: Date.now(), policy: CLEAN_LINK, faulted: none, rejected: 0, antiEntropy: { rounds: 0, syncRepairs: 0, rangeRepairs: 0, entities: 0 } };
    alpha.linkInfo = [
      { ...base, peerId: 'p-b1', nodeId: 'b1', name: 'bravo', verified: true, fingerprint: 'B0B0-1111-2222-3333' },
      { ...base, peerId: 'p-c1', nodeId: undefined, name: 'charlie', verified: false, fingerprint: undefined },
    ];
    alpha.setStatus({ fingerprint: 'A1A1-0000-FFFF-1234', operatorFingerprint: '0PE0-0000-0000-0001' });
    const panel = meshPanel(alpha);
    await panel.updateComplete;
    checkEqual(squash(panel.shadowRoot!.querySelector('dd.key')?.textContent), 'A1A1-0000-FFFF-1234 · operator 0PE0-0000-0000-0001', "this node's key");
    const view = panel.shadowRoot!.querySelector('lattice-topology-view')!;
    await view.updateComplete;
    const links = byRole(view.shadowRoot!, 'table', 'Direct links from here');
    const keyOf = (id: string) => squash(links.querySelector(`tr[data-link=${id}] td.key`)?.textContent);
    checkEqual(keyOf('b1'), '✓ verified B0B0-1111-2222-3333', 'a verified link shows the key its peer proved');
    checkEqual(keyOf('p-c1'), 'proving its key —', 'a link whose peer has not proven its key says so');
  });
});

describe('link faults in the app', () => {
  afterEach(cleanup);

  it('the Mesh tab acts on the mounted node, and the status bar counts the faults on its links', async () => {
    const mesh = new MemoryMesh();
    const alpha = new MemoryNode({ nodeId: 'a1', name: 'alpha' });
    const bravo = new MemoryNode({ nodeId: 'b1', name: 'bravo' });
    mesh.add(alpha);
    mesh.add(bravo);
    const root = document.createElement('div');
    root.style.cssText = 'width:1300px;height:900px;';
    document.body.appendChild(root);
    const app = mountApp(alpha, root, { basemap: { land: { type: 'FeatureCollection', features: [] }, borders: { type: 'MultiLineString', coordinates: [] } } });
    app.tab = 'mesh';
    await app.updateComplete;
    const bar = () => app.shadowRoot!.querySelector('lattice-status-bar')!.shadowRoot!.querySelector('.faults')?.getAttribute('aria-label') ?? '';
    checkEqual(bar(), '', 'no indicator without faults');
    await waitUntil(() => queryRole(app.shadowRoot!, 'button', 'Cut') !== undefined, 'the Mesh tab offers the cut');
    byRole(app.shadowRoot!, 'button', 'Cut').click();
    checkEqual(alpha.faults.list().length, 1, 'the form reached the node the app shows');
    await waitUntil(() => bar() === "1 link fault in force on this node's links", () => `the status bar counts it: "${bar()}"`);
    bravo.faults.heal();
    await waitUntil(() => bar() === '', 'and drops it when healed');
  });
});
