/** Status words that say what is true, a status bar whose counts never leave, and a room password entered in the app. */
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/ui/panels/RoomPassword.js';
import '../../src/ui/panels/StatusBar.js';
import type { MeshStatus } from '../../src/peer/LatticeNode.js';
import { roomPassword, type PasswordStorage } from '../../src/peer/roomPassword.js';
import { SYNC_TEXT, summarise } from '../../src/ui/meshSummary.js';
import { check, checkEqual, cleanup, fixture } from './assert.js';

const alone: MeshStatus = { room: 'ops', state: 'connecting', signaling: ['ws://127.0.0.1:4444'], signalingConnected: true, networkOnline: true, peers: [], rejectedMessages: 0, problem: undefined };

function memoryStorage(): PasswordStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

async function click(el: Element): Promise<void> {
  const r = el.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] });
}

describe('status words', () => {
  afterEach(cleanup);

  it('a node alone in its room says so, and one still reaching its server says connecting', () => {
    checkEqual(SYNC_TEXT[summarise(alone).state], 'Alone in room', 'server reached, nobody else');
    checkEqual(SYNC_TEXT[summarise({ ...alone, signaling: [], signalingConnected: false }).state], 'Alone in room', 'no server to reach');
    checkEqual(SYNC_TEXT[summarise({ ...alone, signalingConnected: false }).state], 'Connecting', 'server not reached yet');
  });

  it('a long problem shrinks to an ellipsis; the counts and the clock stay on the bar', async () => {
    const bar = fixture('lattice-status-bar', 1000, 36);
    bar.style.display = ''; // the fixture's block would hide the bar's own flex layout
    bar.identity = { nodeId: 'n1', name: 'alpha', role: 'operator' };
    bar.entities = 1234;
    bar.pendingApprovals = 2;
    bar.status = {
      ...alone,
      problem:
        'Messages from other nodes in room "ops" (the signaling server) cannot be decrypted: they use a different room password, or one side uses none. Open the link with the same ?password= on every node.',
    };
    await bar.updateComplete;
    const host = bar.getBoundingClientRect();
    const clock = bar.shadowRoot!.querySelector('[aria-label="UTC time"]')!.getBoundingClientRect();
    const problem = bar.shadowRoot!.querySelector('.problem') as HTMLElement;
    check(clock.right <= host.right && clock.width > 0, `the clock is inside the bar (${clock.right} ≤ ${host.right})`);
    check(bar.shadowRoot!.textContent!.includes('1234'), 'the entity count is shown');
    check(problem.scrollWidth > problem.clientWidth, 'the problem is cut with an ellipsis');
    checkEqual(problem.title, bar.status.problem, 'and whole in its title');
  });
});

describe('<lattice-room-password>', () => {
  afterEach(cleanup);

  it('takes a password typed in the app and reopens the page with it kept for this tab, not in the URL', async () => {
    const el = fixture('lattice-room-password', 600, 120);
    const storage = memoryStorage();
    const reopened: URL[] = [];
    el.room = 'ops';
    el.url = new URL('http://localhost/?room=ops&password=old');
    el.storage = storage;
    el.reopen = (url) => reopened.push(url);
    await el.updateComplete;
    check(el.shadowRoot!.textContent!.includes('from the link'), 'says the password now in use came from the link');
    const input = el.shadowRoot!.querySelector('input[type=password]') as HTMLInputElement;
    input.focus();
    await sendKeys({ type: 's3cret' });
    await sendKeys({ press: 'Enter' });
    checkEqual(reopened.length, 1, 'Enter reopens the page');
    checkEqual(reopened[0]!.searchParams.get('password'), null, 'with no password in the URL');
    checkEqual(reopened[0]!.searchParams.get('room'), 'ops', 'in the same room');
    checkEqual(roomPassword(reopened[0]!, 'ops', storage).password, 's3cret', 'the reopened page uses the typed password');
    // On the reopened page, the password can be removed.
    el.url = reopened[0]!;
    await el.updateComplete;
    check(el.shadowRoot!.textContent!.includes('entered in this tab'), 'says it was entered in this tab');
    const remove = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.includes('Remove password'))!;
    await click(remove);
    checkEqual(roomPassword(reopened[1]!, 'ops', storage).source, 'none', 'removed');
  });

  it('joins with nothing typed: the button is disabled', async () => {
    const el = fixture('lattice-room-password', 600, 120);
    const reopened: URL[] = [];
    el.room = 'ops';
    el.url = new URL('http://localhost/?room=ops');
    el.storage = memoryStorage();
    el.reopen = (url) => reopened.push(url);
    await el.updateComplete;
    const join = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.includes('Join'))!;
    check(join.disabled, 'disabled while empty');
    check(!el.shadowRoot!.textContent!.includes('Remove password'), 'nothing to remove');
    checkEqual(reopened.length, 0, 'nothing reopened');
  });
});
