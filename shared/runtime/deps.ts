import type { Region, ValidConfig } from '../domain';
import type { Bus, Clock, Dns, Prober, Store, Telemetry } from '../ports';

/** Everything one observer's control plane needs; the same shape in Lambda, locally and in the simulator. */
export interface ObserverDeps {
  config: ValidConfig;
  observer: Region;
  clock: Clock;
  store: Store;
  bus: Bus;
  dns: Dns;
  prober: Prober;
  telemetry: Telemetry;
}
