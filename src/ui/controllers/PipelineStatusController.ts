/**
 * Keeps a component's view of the pipeline host current: subscribes to its `status` and
 * `fault` events while the component is connected.
 */
import type { ReactiveControllerHost } from 'lit';
import type { PipelineFault, PipelineHost, PipelineHostStatus } from '../../workers/index.js';
import { SourceFollower } from './SourceFollower.js';

export class PipelineStatusController {
  status: PipelineHostStatus | undefined;
  /** The latest worker fault, kept until the next one. */
  fault: PipelineFault | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    getPipeline: () => PipelineHost | undefined,
  ) {
    new SourceFollower(host, getPipeline, (pipeline, previous) => {
      previous?.off('status', this.onStatus);
      previous?.off('fault', this.onFault);
      this.status = pipeline?.status();
      this.fault = this.status?.lastFault;
      pipeline?.on('status', this.onStatus);
      pipeline?.on('fault', this.onFault);
    });
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
