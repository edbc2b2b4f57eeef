/** The public surface of the controller module (re-exported by the package index). */
export { FakeClock, realClock, type Clock, type ClockTimer } from "./clock.js";
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from "./rate-limiter.js";
export { WorkQueue, type ShutDownOptions, type WorkQueueOptions } from "./work-queue.js";
export { jsonLogger, defaultLogger, type ControllerLogger, type LogFields } from "./logger.js";
export { leaseLock, microTime, type LeaderElectionRecord, type LeaseLock, type ObservedLease } from "./lease.js";
export {
  DEFAULT_LEASE_DURATION,
  DEFAULT_RENEW_DEADLINE,
  DEFAULT_RETRY_PERIOD,
  LeaderElector,
  type LeaderElectionCallbacks,
  type LeaderElectionPhase,
  type LeaderElectorOptions,
  type TermEnd,
} from "./leader-election.js";
