/**
 * The config hash: a short digest of the validated config that every proposal carries. During a
 * rolling deploy regions run different configs for minutes; a proposal made under another config
 * (other observers, targets, thresholds or safety rules) does not vote, and the mismatch is reported.
 */
import { canonicalJson, fnv1a } from '../hash';
import type { ValidConfig } from './validate';

const cache = new WeakMap<ValidConfig, string>();

/** @example configHash(config) // → 'c-1a2b3c4d' */
export function configHash(config: ValidConfig): string {
  let hash = cache.get(config);
  if (hash === undefined) {
    hash = `c-${fnv1a(canonicalJson(config))}`;
    cache.set(config, hash);
  }
  return hash;
}
