/**
 * Keeps a component's view of the pipeline host current: subscribes to its `status` and
 * `fault` events while the component is connected.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PipelineFault, PipelineHost, PipelineHostStatus } from '../../workers/index.js';

export class PipelineStatusController implements ReactiveController {
  status: PipelineHostStatus | undefined;
  /** The latest worker fault, kept until the next one. */
  fault: PipelineFault | undefined;
  private pipeline: PipelineHost | undefined;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getPipeline: () => PipelineHost | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    this.attach(this.getPipeline());
  }

  hostUpdate(): void {
    if (this.connected && this.getPipeline() !== this.pipeline) this.attach(this.getPipeline());
  }

  hostDisconnected(): void {
    this.connected = false;
    this.attach(undefined);
  }

  private attach(pipeline: PipelineHost | undefined): void {
    this.pipeline?.off('status', this.onStatus);
    this.pipeline?.off('fault', this.onFault);
    this.pipeline = pipeline;
    this.status = pipeline?.status();
    this.fault = this.status?.lastFault;
    pipeline?.on('status', this.onStatus);
    pipeline?.on('fault', this.onFault);
  }

  private readonly onStatus = (status: PipelineHostStatus): void => {
    this.status = status;
    this.host.requestUpdate();
  };

  private readonly onFault = (fault: PipelineFault): void => {
    this.fault = fault;
    this.host.requestUpdate();
  };
}
