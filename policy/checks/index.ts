/**
 * Every check of the policy pack, as plain functions.
 */
import { AWS_CHECKS } from "./aws";
import { BASELINE_CHECKS } from "./baseline";
import { NETWORK_CHECKS } from "./network";
import { THANOS_CHECKS } from "./thanos";
import type { Check } from "./types";

export { evaluate } from "./types";
export type { Check, ResourceView, Violation } from "./types";

/** All checks, in report order. */
export const ALL_CHECKS: readonly Check[] = [...BASELINE_CHECKS, ...NETWORK_CHECKS, ...THANOS_CHECKS, ...AWS_CHECKS];
