import type { EndpointConfig, ProbeResult, Region } from '../domain';

/** Sends one probe from this observer to one endpoint. Never throws: failures are results. */
export interface Prober {
  probe(target: Region, endpointIndex: number, endpoint: EndpointConfig): Promise<ProbeResult>;
}
