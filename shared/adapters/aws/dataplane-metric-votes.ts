/**
 * Metric-mode votes: one CloudWatch data point per observer and target each decide pass
 * (namespace `Arbiter/Votes`, metric `DrainVote`, 1 = drain, 0 = no drain), in the observer's
 * own region. The alarm `<name>-vote-<observer>-<target>` goes to ALARM on a 1, and the
 * CLOUDWATCH_METRIC health check on it is the observer's child of the target's CALCULATED check.
 * CloudWatch is regional: nothing here touches us-east-1 unless the observer is us-east-1.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { voteDimensions, voteMetricName, voteMetricNamespace, type ValidConfig, type VoteRecord, type VoteWriter } from '../../domain';
import { TransientError } from '../../ports';
import { sdkClientConfig, sdkErrorName, type SdkOptions } from './sdk-options';

/** Data points per PutMetricData call (the API takes 1,000; Arbiter has at most 20 targets). */
export const voteBatchMax = 20;

export function createCloudWatchClient(options: SdkOptions): CloudWatchClient {
  return new CloudWatchClient(sdkClientConfig(options));
}

/**
 * @example await new CloudWatchVoteWriter({ config, client }).writeVotes(records, clock.nowMs());
 */
export class CloudWatchVoteWriter implements VoteWriter {
  constructor(private readonly options: { config: ValidConfig; client: CloudWatchClient }) {}

  async writeVotes(votes: readonly VoteRecord[], nowMs: number): Promise<void> {
    for (let start = 0; start < votes.length; start += voteBatchMax) {
      const batch = votes.slice(start, start + voteBatchMax);
      const MetricData = batch.map((v) => ({
        MetricName: voteMetricName,
        Dimensions: voteDimensions(this.options.config, v.observer, v.target),
        Timestamp: new Date(nowMs),
        Value: v.vote === 'drain' ? 1 : 0,
        Unit: 'Count' as const,
      }));
      try {
        await this.options.client.send(new PutMetricDataCommand({ Namespace: voteMetricNamespace, MetricData }));
      } catch (error) {
        // The SDK has already retried within its bound; the decide runtime reports and writes again next pass.
        throw new TransientError(`PutMetricData for ${batch.map((v) => v.target).join(', ')} failed: ${sdkErrorName(error)}`, { cause: error });
      }
    }
  }
}
