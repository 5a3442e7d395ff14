/**
 * `<lattice-room-password>`: the room password, entered in the app instead of the URL. It says
 * whether one is in use and where it came from; Join reopens the page with the password kept
 * for this tab (not in the URL, its history or links copied from it); Remove reopens it without.
 * Nodes with different passwords cannot read each other, so the page reopens to use a new one.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { roomPassword, setRoomPassword, type PasswordStorage } from '../../peer/roomPassword.js';
import { theme } from '../theme.js';

@customElement('lattice-room-password')
export class RoomPassword extends LitElement {
  static override styles = [
    theme,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
      }
      p {
        margin: 0 0 4px;
      }
      input {
        min-width: 10em;
      }
      .muted {
        color: var(--lm-muted);
      }
    `,
  ];

  @property() room = '';
  /** The page's URL and this tab's storage; tests pass their own. */
  @property({ attribute: false }) url: URL = new URL(location.href);
  @property({ attribute: false }) storage: PasswordStorage = sessionStorage;
  /** Reopens the page at `url` (a test records it instead). */
  @property({ attribute: false }) reopen: (url: URL) => void = (url) => location.replace(url.href);
  @state() private typed = '';

  protected override render() {
    const { source } = roomPassword(this.url, this.room, this.storage);
    const now =
      source === 'url'
        ? 'A password from the link is in use. Entering one here keeps it out of the address bar.'
        : source === 'app'
          ? 'A password entered in this tab is in use.'
          : 'No password: anyone who reaches this room can read it.';
    return html`
      <p class="muted" role="status">${now}</p>
      <form @submit=${this.join} aria-label="Join with a room password">
        <label>Room password <input type="password" autocomplete="off" .value=${this.typed} @input=${(e: Event) => (this.typed = (e.target as HTMLInputElement).value)} /></label>
        <button type="submit" ?disabled=${this.typed === ''}>Join with this password</button>
        ${source === 'none' ? nothing : html`<button type="button" @click=${this.forget}>Remove password</button>`}
      </form>
    `;
  }

  private readonly join = (event: Event): void => {
    event.preventDefault();
    if (this.typed === '') return;
    this.reopen(setRoomPassword(this.url, this.room, this.typed, this.storage));
  };

  private readonly forget = (): void => {
    this.reopen(setRoomPassword(this.url, this.room, '', this.storage));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-room-password': RoomPassword;
  }
}
