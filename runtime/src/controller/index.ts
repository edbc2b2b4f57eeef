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
export { controllerOf, groupOf, isControlledBy, ownerReference, setControllerReference } from "./owner.js";
export {
  findCondition,
  isConditionTrue,
  metaTime,
  removeCondition,
  setCondition,
  type Condition,
  type ConditionInit,
  type ConditionStatus,
} from "./conditions.js";
export {
  addFinalizer,
  hasFinalizer,
  isBeingDeleted,
  isFailedPatchTest,
  removeFinalizer,
  withFinalizer,
  type FinalizerHandlers,
  type Patches,
} from "./finalizers.js";
export {
  EventRecorder,
  type EventBody,
  type EventInit,
  type EventRecorderOptions,
  type EventSeries,
  type ObjectReference,
} from "./events.js";
export {
  Controller,
  type ControllerOptions,
  type ObjectKeyLike,
  type ReconcileContext,
  type Reconciler,
  type ReconcileResult,
  type WatchOptions as ControllerWatchOptions,
  type WatchTarget,
} from "./controller.js";
export { defaultIdentity, runWithLeaderElection, type RunWithLeaderElectionOptions } from "./run-with-leader-election.js";
