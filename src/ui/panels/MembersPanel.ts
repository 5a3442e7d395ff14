/**
 * `<lattice-members-panel>`: who may do what in this room. The room's owner (or that it is
 * open), this node's standing, every member with role, key fingerprint, last seen, and the
 * membership it holds; a form that makes an invitation link (for members who may invite) and
 * a revoke button per member (for the owner), with a confirmation step, since a revocation is
 * for good.
 *
 * It works on `node.authority` directly (as the Mesh panel works on `node.faults`); the
 * `status` property only makes it render again when the mesh changes.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LatticeError } from '../../crdt/index.js';
import type { LatticeNode, MemberInfo, MeshStatus, RoomInfo } from '../../peer/LatticeNode.js';
import { roomLink } from '../../peer/meshConfig.js';
import { parseOwner } from '../../peer/trust/invitation.js';
import { formatAge } from '../format.js';
import { dataTable, panel, theme } from '../theme.js';

type InviteRole = 'operator' | 'viewer' | 'owner';
const EXPIRIES: ReadonlyArray<readonly [number, string]> = [
  [3600, '1 hour'],
  [24 * 3600, '1 day'],
  [7 * 24 * 3600, '7 days'],
];

@customElement('lattice-members-panel')
export class MembersPanel extends LitElement {
  static override styles = [
    theme,
    panel,
    dataTable,
    css`
      .note {
        margin: 0 0 8px;
        padding: 6px 8px;
        border: 1px solid var(--lm-warn);
        border-radius: 4px;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: flex-end;
      }
      label.check {
        flex-direction: row;
        align-items: center;
      }
      .link {
        display: flex;
        gap: 6px;
        margin-top: 8px;
      }
      .link input {
        flex: 1;
        min-width: 0;
        font-family: var(--lm-mono);
        font-size: 11px;
      }
      .scroll {
        overflow-x: auto;
      }
      td.key {
        font-size: 11px;
        word-break: break-all;
      }
      .small {
        font-size: 11px;
      }
      .revoked {
        color: var(--lm-danger);
      }
    `,
  ];

  @property({ attribute: false }) node: LatticeNode | undefined;
  /** The mesh status: a new one renders the panel again (members come and go with presence). */
  @property({ attribute: false }) status: MeshStatus | undefined;
  @property({ attribute: false }) clock: () => number = () => Date.now();
  @state() private inviteRole: InviteRole = 'operator';
  @state() private inviteExpiry = 24 * 3600;
  @state() private inviteMayInvite = false;
  @state() private link: string | undefined;
  @state() private copied = false;
  @state() private error: string | undefined;
  /** The member whose revocation waits for a second click. */
  @state() private confirming: string | undefined;

  protected override render() {
    const room = this.node?.authority;
    if (!room) return html`<p class="muted">This node has no room authority.</p>`;
    const info = room.info();
    const members = room.members();
    return html`
      ${this.renderRoom(info)}
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${info.mayInvite ? this.renderInvite(info) : nothing}
      <h3 id="members-heading">Members</h3>
      <div class="scroll">
        <table aria-labelledby="members-heading">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Key</th>
              <th scope="col">Seen</th>
              ${info.mayRevoke ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}
            </tr>
          </thead>
          <tbody>
            ${members.map((m) => this.renderMember(m, info))}
          </tbody>
        </table>
      </div>
    `;
  }

  private renderRoom(info: RoomInfo) {
    const you = info.standing === 'guest' ? 'not a member (you read, and write nothing)' : `${info.standing}${info.mayInvite ? ', may invite' : ''}`;
    return html`<dl>
        <dt>Room</dt>
        <dd>${info.name}</dd>
        <dt>Owner</dt>
        <dd class="mono">${info.open ? html`<strong>none: an open room</strong>` : info.ownerFingerprint}</dd>
        <dt>You</dt>
        <dd>${you}</dd>
      </dl>
      ${info.open
        ? html`<p class="note" role="note">An open room: anyone who reaches it (and knows its password, if it has one) may write and decide. For real work, open a room of your own (a link without <span class="mono">open=1</span>) and invite people.</p>`
        : nothing}
      ${info.problem ? html`<p class="alert" role="alert">${info.problem}</p>` : nothing}
      ${this.status?.uncounted
        ? html`<p class="note" role="status">${this.status.uncounted} change${this.status.uncounted === 1 ? ' was' : 's were'} written after the writer's revocation: kept out of the picture on every node.</p>`
        : nothing}
      ${info.joining ? html`<p class="note" role="status">Waiting to be admitted: a node of the person who invited you must be in the room to admit you.</p>` : nothing}
      ${!info.open && info.standing === 'guest' && !info.joining && !info.problem
        ? html`<p class="note" role="note">You are not a member of this room: ask its owner for an invitation link.</p>`
        : nothing}`;
  }

  private renderInvite(info: RoomInfo) {
    const roles: InviteRole[] = info.standing === 'owner' ? ['operator', 'viewer', 'owner'] : ['operator', 'viewer'];
    return html`<h3 id="invite-heading">Invite</h3>
      <form aria-labelledby="invite-heading" @submit=${this.onInvite}>
        <label
          >Role
          <select name="role" .value=${this.inviteRole} @change=${(e: Event) => (this.inviteRole = (e.target as HTMLSelectElement).value as InviteRole)}>
            ${roles.map((r) => html`<option value=${r} ?selected=${r === this.inviteRole}>${r}</option>`)}
          </select>
        </label>
        <label
          >Valid for
          <select name="expiry" @change=${(e: Event) => (this.inviteExpiry = Number((e.target as HTMLSelectElement).value))}>
            ${EXPIRIES.map(([s, text]) => html`<option value=${s} ?selected=${s === this.inviteExpiry}>${text}</option>`)}
          </select>
        </label>
        ${info.standing === 'owner' && this.inviteRole === 'operator'
          ? html`<label class="check"
              ><input type="checkbox" .checked=${this.inviteMayInvite} @change=${(e: Event) => (this.inviteMayInvite = (e.target as HTMLInputElement).checked)} /> May invite others</label
            >`
          : nothing}
        <button type="submit">Create invitation link</button>
      </form>
      ${this.link
        ? html`<div class="link">
              <input aria-label="Invitation link" readonly .value=${this.link} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
              <button type="button" @click=${this.onCopy}>${this.copied ? 'Copied' : 'Copy link'}</button>
            </div>
            <p class="muted">Whoever opens this link joins as ${this.inviteRole} once one of your nodes admits them. Give the room password, if any, separately.</p>`
        : nothing}`;
  }

  private renderMember(m: MemberInfo, info: RoomInfo) {
    const name = m.names.length > 0 ? m.names.join(', ') : '—';
    const now = this.clock();
    const membership = m.standing === 'owner' && m.issuedBy === undefined ? 'the owner key' : m.issuedBy ? `by ${m.issuedBy.slice(0, 9)}${m.expiresAt ? ` until ${new Date(m.expiresAt * 1000).toISOString().slice(0, 10)}` : ''}` : '';
    const canRevoke = info.mayRevoke && !m.self && !m.revoked && m.fingerprint !== info.ownerFingerprint;
    return html`<tr>
      <td>${name}${m.self ? html` <span class="muted">(you)</span>` : nothing}</td>
      <td class=${m.revoked ? 'revoked' : ''}>
        ${m.revoked ? 'revoked' : m.standing}${m.mayInvite && m.standing === 'operator' ? ' · invites' : ''}
        <div class="small muted">${membership}</div>
      </td>
      <td class="mono key" title=${m.nodes.map((n) => `${n.name}: node key ${n.fingerprint}`).join('\n')}>${m.fingerprint}</td>
      <td class="mono">${m.self ? 'now' : m.lastSeen ? formatAge(now - m.lastSeen) : 'away'}</td>
      ${info.mayRevoke
        ? html`<td>
            ${canRevoke
              ? this.confirming === m.fingerprint
                ? html`<button type="button" aria-label="Confirm: revoke ${name} for good" @click=${() => this.onRevoke(m)}>Confirm revoke</button>
                    <button type="button" aria-label="Keep ${name}" @click=${() => (this.confirming = undefined)}>Keep</button>`
                : html`<button type="button" aria-label="Revoke ${name}" @click=${() => (this.confirming = m.fingerprint)}>Revoke</button>`
              : nothing}
          </td>`
        : nothing}
    </tr>`;
  }

  private readonly onInvite = (e: Event): void => {
    e.preventDefault();
    const room = this.node?.authority;
    if (!room) return;
    const info = room.info();
    this.error = undefined;
    this.copied = false;
    room
      .invite({ role: this.inviteRole, expiresInS: this.inviteExpiry, mayInvite: this.inviteRole === 'operator' && this.inviteMayInvite })
      .then((token) => {
        this.link = info.ownerKey ? roomLink(new URL(location.href), info.name, parseOwner(info.ownerKey), token) : undefined;
      })
      .catch((error: unknown) => {
        this.error = error instanceof LatticeError ? error.message : `The invitation could not be made: ${String(error)}`;
      });
  };

  private readonly onCopy = (): void => {
    if (!this.link) return;
    navigator.clipboard.writeText(this.link).then(
      () => (this.copied = true),
      () => {
        // Not allowed here (an insecure page, or no permission): select it for the person to copy.
        this.renderRoot.querySelector<HTMLInputElement>('.link input')?.select();
      },
    );
  };

  private onRevoke(m: MemberInfo): void {
    this.confirming = undefined;
    this.error = undefined;
    try {
      this.node?.authority?.revoke(m.fingerprint, `revoked from ${this.node.identity.name}`);
    } catch (error) {
      if (!(error instanceof LatticeError)) throw error;
      this.error = error.message;
    }
  }
}
