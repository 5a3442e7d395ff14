/**
 * `<lattice-app>`: the operator's screen. Status bar on top; the map; a side panel with the
 * approval queue always in view and tabs for the inspector, the track list and the mesh.
 *
 * Decisions from the queue (`approval-decision`) are written through the node's approval desk,
 * which refuses what the mesh's rules refuse (a viewer, a second decision, a closed request);
 * a refusal is shown. `mesh-connection` becomes `node.connect()` / `node.disconnect()`;
 * `budget-change` becomes `node.setBudget()`, and a refused budget is shown in the Mesh tab.
 * `geo-point-place`, `geo-point-move` (the map's tools) and `entity-edit` (the inspector) are
 * written through the store, by an operator only (`EntityEditController`); a refusal is shown
 * over the map.
 *
 * The shell only routes: state lives in controllers (mesh and pipeline status, traffic, the
 * approval queue with the mesh's outcome rule, the store summary, edits), the layout in
 * `appStyles.ts`. It runs past 400 lines because it is where every panel's events are handled:
 * one short handler each.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LatticeError, pipelineNodeId, type EntityView } from '../crdt/index.js';
import type { LatticeNode } from '../peer/LatticeNode.js';
import { ScenarioError, type PipelineHost } from '../workers/index.js';
import { PipelineStatusController } from './controllers/PipelineStatusController.js';
import type { ScenarioLoadDetail } from './panels/PipelinePanel.js';
import type { TaskCancelDetail, TaskRow } from './panels/TasksPanel.js';
import { DEFAULT_TRACK_SORT, type TrackSort } from './panels/TrackList.js';
import { MeshStatusController } from './controllers/MeshStatusController.js';
import { meshOutcomeResolver, meshPendingPolicy } from './controllers/meshApprovalPolicy.js';
import { PendingApprovalsController, pendingUntilDeadline, type ApprovalDecision, type PendingPolicy } from './controllers/PendingApprovalsController.js';
import { EntityEditController } from './controllers/EntityEditController.js';
import { StoreChangesController } from './controllers/StoreChangesController.js';
import { SummaryController } from './controllers/SummaryController.js';
import { TrafficController } from './controllers/TrafficController.js';
import type { Basemap } from './map/basemap.js';
import type { EntityHighlightDetail, EntitySelectDetail, FollowChangeDetail } from './map/LatticeMap.js';
import type { GeoPointMoveDetail, GeoPointPlaceDetail } from './map/MapTools.js';
import type { EntityEditDetail, EntityInspector } from './panels/EntityInspector.js';
import type { ApprovalDecisionDetail } from './panels/ApprovalQueue.js';
import type { BudgetChangeDetail } from './panels/BudgetPanel.js';
import type { MeshConnectionDetail } from './panels/MeshPanel.js';
import { appStyles } from './appStyles.js';
import { readTaskRows } from './taskRows.js';
import { theme } from './theme.js';
import { trackName, trackNumber } from './trackName.js';
import './map/LatticeMap.js';
import './panels/ApprovalQueue.js';
import './panels/BudgetPanel.js';
import './panels/EntityInspector.js';
import './panels/MeshPanel.js';
import './panels/StatusBar.js';
import './panels/TrackList.js';
import './panels/PipelinePanel.js';
import './panels/TasksPanel.js';
import './panels/MembersPanel.js';
import './panels/TakPanel.js';

export const PANEL_TABS = ['inspector', 'tracks', 'tasks', 'pipeline', 'mesh', 'members', 'tak'] as const;
export type PanelTab = (typeof PANEL_TABS)[number];
const TAB_TEXT: Record<PanelTab, string> = { inspector: 'Inspector', tracks: 'Tracks', tasks: 'Tasks', pipeline: 'Pipeline', mesh: 'Mesh', members: 'Members', tak: 'TAK' };

@customElement('lattice-app')
export class LatticeApp extends LitElement {
  static override styles = [theme, appStyles];

  /** The node this screen shows and drives. */
  @property({ attribute: false }) node: LatticeNode | undefined;
  /** The node's pipeline host (scenario runs, worker faults); the Pipeline tab drives it. */
  @property({ attribute: false }) pipeline: PipelineHost | undefined;
  @property({ attribute: false }) basemap: Basemap | undefined;
  /** Set when the offline basemap failed to load; shown to the operator. */
  @property({ attribute: false }) basemapError: string | undefined;
  @property({ attribute: 'tile-url' }) tileUrl: string | undefined;
  @property({ attribute: 'tile-attribution' }) tileAttribution = '';
  /** Which approval requests are pending; by default the mesh's outcome rule over the journal. */
  @property({ attribute: false }) pendingPolicy: PendingPolicy | undefined;
  /** The last decision the node refused, shown under the queue. */
  @state() private decisionError: string | undefined;
  @state() private scenarioError: string | undefined;
  @state() private cancelError: string | undefined;
  @state() private budgetError: string | undefined;
  /** Changes to entities from the screen, and the last one refused. */
  private readonly edits = new EntityEditController(this, () => this.node);
  private taskRows: TaskRow[] = [];
  private readonly pipelineStatus = new PipelineStatusController(this, () => this.pipeline);

  @state() selectedId: string | undefined;
  /** The track a panel points at (a queue card hovered or focused), ringed on the map. */
  @state() highlightId: string | undefined;
  @state() following = false;
  @state() tab: PanelTab = 'inspector';
  /** How the track table is sorted, kept while other tabs are open. */
  @state() private trackSort: TrackSort = DEFAULT_TRACK_SORT;
  private trackViews: EntityView[] = [];
  /** Our digest, store health and entity count, read about once a second. */
  private readonly summary = new SummaryController(this, () => this.node);

  private readonly mesh = new MeshStatusController(this, () => this.node);
  private readonly traffic = new TrafficController(this, () => this.node);
  readonly approvals = new PendingApprovalsController(this, () => this.node?.store, {
    policy: () => {
      const store = this.node?.store;
      return this.pendingPolicy ?? (store ? meshPendingPolicy(store) : pendingUntilDeadline);
    },
    outcomeOf: () => {
      const store = this.node?.store;
      return store && meshOutcomeResolver(store);
    },
  });
  /** Re-renders the panels that show entity details, at most a few times a second. */
  readonly details = new StoreChangesController(
    this,
    () => this.node?.store,
    (batch, store) => {
      const sel = this.selectedId;
      if (this.tab === 'tracks') this.trackViews = store.list();
      if (this.tab === 'tasks') this.taskRows = readTaskRows(this.node);
      if (this.tab === 'tracks' || this.tab === 'tasks' || (sel && (batch.changed.has(sel) || batch.deleted.has(sel)))) this.requestUpdate();
    },
    { cadence: 500 },
  );

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKeyDown);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('tab') && this.tab === 'tracks') this.trackViews = this.node?.store.list() ?? [];
    if (changed.has('tab') && this.tab === 'tasks') this.taskRows = readTaskRows(this.node);
  }

  protected override render() {
    const node = this.node;
    const store = node?.store;
    const selected = this.selectedId ? store?.get(this.selectedId) : undefined;
    return html`
      <lattice-status-bar
        .identity=${node?.identity}
        .status=${this.mesh.status}
        .convergedAt=${this.mesh.convergedAt}
        .entities=${this.summary.entityCount}
        .pendingApprovals=${this.approvals.pending.length}
        .pipelineProblem=${this.pipelineStatus.status?.setAsideRun?.message}
        .traffic=${this.traffic.report}
      ></lattice-status-bar>
      ${this.basemapError ? html`<div class="error" role="alert">${this.basemapError}</div>` : nothing}
      ${this.edits.error ? html`<div class="error" role="alert">Not changed: ${this.edits.error}</div>` : nothing}
      <main>
        <lattice-map
          .store=${store}
          .basemap=${this.basemap}
          .tileUrl=${this.tileUrl}
          .tileAttribution=${this.tileAttribution}
          .selectedId=${this.selectedId}
          .highlightId=${this.highlightId}
          .follow=${this.following}
          .editBlocked=${this.edits.blocked}
          @entity-select=${this.onSelect}
          @follow-change=${this.onFollow}
          @geo-point-place=${this.onGeoPointPlace}
          @geo-point-move=${this.onGeoPointMove}
        ></lattice-map>
        <aside aria-label="Side panel">
          <lattice-approval-queue
            .requests=${this.approvals.pending}
            .history=${this.approvals.history}
            .sent=${this.sentDecisions()}
            .selectedEntityId=${this.selectedId}
            .nodeNames=${this.nodeNames()}
            .error=${this.decisionError}
            .canDecide=${node?.identity.role === 'operator'}
            @approval-decision=${this.onDecision}
            @entity-select=${this.onSelect}
            @entity-highlight=${this.onHighlight}
          ></lattice-approval-queue>
          <div role="tablist" aria-label="Panels" @keydown=${this.onTabKey}>
            ${PANEL_TABS.map(
              (t) => html`<button
                type="button"
                role="tab"
                id="tab-${t}"
                aria-controls="panel"
                aria-selected=${this.tab === t ? 'true' : 'false'}
                tabindex=${this.tab === t ? 0 : -1}
                @click=${() => (this.tab = t)}
              >
                ${TAB_TEXT[t]}
              </button>`,
            )}
          </div>
          <div role="tabpanel" id="panel" aria-labelledby="tab-${this.tab}">${this.renderTab(selected)}</div>
        </aside>
      </main>
    `;
  }

  private renderTab(selected: EntityView | undefined) {
    switch (this.tab) {
      case 'inspector':
        return html`<lattice-inspector
          .entity=${selected}
          .missingId=${selected ? undefined : this.selectedId}
          .localNode=${this.node?.identity.nodeId ?? ''}
          .following=${this.following}
          .editBlocked=${this.edits.blocked}
          @follow-change=${this.onFollow}
          @entity-select=${this.onSelect}
          @entity-edit=${this.onEntityEdit}
        ></lattice-inspector>`;
      case 'tracks':
        return html`<lattice-track-list
          .entities=${this.trackViews}
          .selectedId=${this.selectedId}
          .sort=${this.trackSort}
          @entity-select=${this.onSelect}
          @track-sort=${(e: CustomEvent<TrackSort>) => (this.trackSort = e.detail)}
        ></lattice-track-list>`;
      case 'tasks':
        return html`<lattice-tasks-panel
          .tasks=${this.taskRows}
          ?can-cancel=${this.node?.identity.role === 'operator'}
          .cancelError=${this.cancelError}
          .nameOf=${this.nameOfEntity}
          @task-cancel=${this.onTaskCancel}
          @entity-select=${this.onSelect}
        ></lattice-tasks-panel>`;
      case 'pipeline':
        return html`<lattice-pipeline-panel
          .status=${this.pipelineStatus.status}
          .fault=${this.pipelineStatus.fault}
          .loadError=${this.scenarioError}
          ?can-load=${this.pipeline !== undefined && this.node?.identity.role === 'operator'}
          ?viewer=${this.node?.identity.role === 'viewer'}
          ?offline=${this.mesh.status?.state === 'offline'}
          @scenario-load=${this.onScenarioLoad}
          @scenario-unload=${this.onScenarioUnload}
        ></lattice-pipeline-panel>`;
      case 'mesh':
        return html`<lattice-mesh-panel
          .node=${this.node}
          .status=${this.mesh.status}
          .identity=${this.node?.identity}
          .localDigest=${this.summary.digest}
          .convergedAt=${this.mesh.convergedAt}
          .health=${this.summary.health}
          @mesh-connection=${this.onMeshConnection}
        ></lattice-mesh-panel>
        <lattice-budget-panel .traffic=${this.traffic.report} .error=${this.budgetError} @budget-change=${this.onBudgetChange}></lattice-budget-panel>`;
      case 'members':
        return html`<lattice-members-panel .node=${this.node} .status=${this.mesh.status}></lattice-members-panel>`;
      case 'tak':
        return html`<lattice-tak-panel .node=${this.node}></lattice-tak-panel>`;
    }
  }

  private readonly onGeoPointPlace = (e: CustomEvent<GeoPointPlaceDetail>): void => {
    e.stopPropagation();
    const store = this.node?.store;
    if (!store) return;
    // Unique without coordination: this node's id and the time, as other writers name entities.
    const id = `geo.${this.node!.identity.nodeId.slice(0, 24)}.${Date.now().toString(36)}`;
    const name = `Point ${store.list('geo').length + 1}`;
    const placed = this.edits.write((node) =>
      node.store.create(id, 'geo', { position: { lat: e.detail.lat, lon: e.detail.lon, alt: 0 }, classification: { label: name, confidence: 1 } }),
    );
    if (!placed) return;
    this.selectedId = id;
    this.following = false;
    this.tab = 'inspector';
    // Named at once: the keyboard lands in the name field.
    void this.updateComplete.then(async () => {
      const inspector = this.renderRoot.querySelector<EntityInspector>('lattice-inspector');
      await inspector?.updateComplete;
      inspector?.focusName();
    });
  };

  private readonly onGeoPointMove = (e: CustomEvent<GeoPointMoveDetail>): void => {
    e.stopPropagation();
    const { entityId, lat, lon } = e.detail;
    this.edits.write((node) => node.store.update(entityId, { position: { lat, lon, alt: node.store.get(entityId)?.components.position?.alt ?? 0 } }));
  };

  private readonly onEntityEdit = (e: CustomEvent<EntityEditDetail>): void => {
    e.stopPropagation();
    this.edits.write((node) => node.store.update(e.detail.entityId, e.detail.components));
  };

  private sentDecisions(): ReadonlyMap<string, ApprovalDecision> {
    const sent = new Map<string, ApprovalDecision>();
    for (const r of this.approvals.pending) {
      const d = this.approvals.decisionFor(r.requestId);
      if (d) sent.set(r.requestId, d);
    }
    return sent;
  }

  /** An entity's short name, also for one this node no longer holds (a finished task's target). */
  private readonly nameOfEntity = (id: string): string => {
    const view = this.node?.store.get(id);
    return view ? trackName(view) : trackNumber(id);
  };

  /**
   * Names of this node and every peer it has heard, by node id, and of their pipelines: a
   * node's pipeline worker writes (and so requests approval) as `<node id>-pl`
   * (src/workers/PipelineWorker.ts).
   */
  private nodeNames(): ReadonlyMap<string, string> {
    const names = new Map<string, string>();
    const me = this.node?.identity;
    for (const p of [...(this.mesh.status?.peers ?? []), ...(me ? [me] : [])]) {
      names.set(p.nodeId, p.name);
      names.set(pipelineNodeId(p.nodeId), `${p.name}'s pipeline`);
    }
    return names;
  }

  private readonly onHighlight = (e: CustomEvent<EntityHighlightDetail>): void => {
    e.stopPropagation();
    this.highlightId = e.detail.entityId;
  };

  private readonly onSelect = (e: CustomEvent<EntitySelectDetail>): void => {
    e.stopPropagation();
    const id = e.detail.entityId ?? undefined;
    if (id !== this.selectedId) this.following = false;
    this.selectedId = id;
    if (id && !e.detail.keepTab) this.tab = 'inspector';
  };

  private readonly onFollow = (e: CustomEvent<FollowChangeDetail>): void => {
    e.stopPropagation();
    this.following = e.detail.follow && this.selectedId !== undefined;
  };

  private readonly onDecision = (e: CustomEvent<ApprovalDecisionDetail>): void => {
    const node = this.node;
    if (!node) return;
    try {
      node.approvals.decide(e.detail.entityId, e.detail.decision, e.detail.requestId);
      this.decisionError = undefined;
      this.approvals.recordDecision(e.detail.requestId, e.detail.decision, node.identity.name);
    } catch (error) {
      if (!(error instanceof LatticeError)) throw error;
      this.decisionError = error.message;
    }
  };

  private readonly onTaskCancel = (e: CustomEvent<TaskCancelDetail>): void => {
    e.stopPropagation();
    try {
      this.node?.tasks.cancel(e.detail.taskId);
      this.cancelError = undefined;
      this.taskRows = readTaskRows(this.node);
    } catch (error) {
      if (!(error instanceof LatticeError)) throw error;
      this.cancelError = error.message;
    }
  };

  private readonly onScenarioLoad = async (e: CustomEvent<ScenarioLoadDetail>): Promise<void> => {
    e.stopPropagation();
    const pipeline = this.pipeline;
    if (!pipeline) return;
    const { source, seed } = e.detail;
    const options = seed === undefined ? {} : { seed };
    try {
      if ('builtin' in source) await pipeline.loadBuiltinScenario(source.builtin, options);
      else pipeline.loadScenario(source.file, options);
      this.scenarioError = undefined;
    } catch (error) {
      if (error instanceof ScenarioError) this.scenarioError = `${'fileName' in source ? source.fileName : 'The scenario'} was not loaded: ${error.message}`;
      else this.scenarioError = `The scenario was not loaded: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  private readonly onScenarioUnload = (e: Event): void => {
    e.stopPropagation();
    this.pipeline?.unloadScenario();
  };

  private readonly onMeshConnection = (e: CustomEvent<MeshConnectionDetail>): void => {
    e.stopPropagation();
    if (e.detail.connect) this.node?.connect();
    else this.node?.disconnect();
  };

  private readonly onBudgetChange = (e: CustomEvent<BudgetChangeDetail>): void => {
    e.stopPropagation();
    const node = this.node;
    if (!node) return;
    try {
      node.setBudget(e.detail);
      this.budgetError = undefined;
    } catch (error) {
      if (!(error instanceof LatticeError)) throw error;
      this.budgetError = `Budget not changed: ${error.message}`;
    }
    this.traffic.refresh();
  };

  private readonly onTabKey = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const at = PANEL_TABS.indexOf(this.tab);
    this.tab = PANEL_TABS[(at + (e.key === 'ArrowRight' ? 1 : PANEL_TABS.length - 1)) % PANEL_TABS.length]!;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${this.tab}`)?.focus());
  };

  /** Escape clears the selection; F follows it. Ignored while typing in a field. */
  private readonly onKeyDown = (e: KeyboardEvent): void => {
    const target = e.composedPath()[0];
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape' && this.selectedId) {
      this.selectedId = undefined;
      this.following = false;
    } else if ((e.key === 'f' || e.key === 'F') && this.selectedId) {
      this.following = !this.following;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-app': LatticeApp;
  }
}
