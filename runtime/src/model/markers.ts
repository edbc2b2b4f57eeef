/**
 * Marker interfaces: a kind implements one for each subresource its API paths show in
 * that Kubernetes version. TypeScript is structural, so each marker is a branded member
 * keyed by a `unique symbol` that only this module can name: an object literal cannot
 * claim a subresource by accident, and `Api<T>` shows an accessor only where `T` has
 * the marker.
 */

declare const statusMarker: unique symbol;
declare const scaleMarker: unique symbol;
declare const logsMarker: unique symbol;
declare const execMarker: unique symbol;
declare const attachMarker: unique symbol;
declare const portForwardMarker: unique symbol;
declare const evictionMarker: unique symbol;
declare const ephemeralContainersMarker: unique symbol;
declare const resizeMarker: unique symbol;
declare const bindingMarker: unique symbol;
declare const tokenMarker: unique symbol;
declare const approvalMarker: unique symbol;
declare const finalizeMarker: unique symbol;
declare const proxyMarker: unique symbol;
declare const createsStatusMarker: unique symbol;

/** The kind has `/status`. */
export interface HasStatusSubresource {
  readonly [statusMarker]: true;
}
/** The kind has `/scale`. */
export interface HasScale {
  readonly [scaleMarker]: true;
}
/** The kind has `/log` (Pod). */
export interface HasLogs {
  readonly [logsMarker]: true;
}
/** The kind has `/exec` (Pod). */
export interface HasExec {
  readonly [execMarker]: true;
}
/** The kind has `/attach` (Pod). */
export interface HasAttach {
  readonly [attachMarker]: true;
}
/** The kind has `/portforward` (Pod). */
export interface HasPortForward {
  readonly [portForwardMarker]: true;
}
/** The kind has `/eviction` (Pod). */
export interface HasEviction {
  readonly [evictionMarker]: true;
}
/** The kind has `/ephemeralcontainers` (Pod). */
export interface HasEphemeralContainers {
  readonly [ephemeralContainersMarker]: true;
}
/** The kind has `/resize` (Pod; in the spec from Kubernetes 1.32). */
export interface HasResize {
  readonly [resizeMarker]: true;
}
/** The kind has `/binding` (Pod). */
export interface HasBinding {
  readonly [bindingMarker]: true;
}
/** The kind has `/token` (ServiceAccount TokenRequest). */
export interface HasToken {
  readonly [tokenMarker]: true;
}
/** The kind has `/approval` (CertificateSigningRequest). */
export interface HasApproval {
  readonly [approvalMarker]: true;
}
/** The kind has `/finalize` (Namespace). */
export interface HasFinalize {
  readonly [finalizeMarker]: true;
}
/** The kind has `/proxy` (Pod, Service, Node). */
export interface HasProxy {
  readonly [proxyMarker]: true;
}

/**
 * The kind's `create` answers the server's `Status`, not the object (core/v1 Binding,
 * whose storage returns a Status although the spec names the kind). Not a subresource:
 * `Api<T>.create` answers `Status` for such a kind.
 */
export interface CreatesStatus {
  readonly [createsStatusMarker]: true;
}

/** Path suffix of each subresource that has a marker, mapped to the marker's name. */
export const markerBySubresource = {
  status: "HasStatusSubresource",
  scale: "HasScale",
  log: "HasLogs",
  exec: "HasExec",
  attach: "HasAttach",
  portforward: "HasPortForward",
  eviction: "HasEviction",
  ephemeralcontainers: "HasEphemeralContainers",
  resize: "HasResize",
  binding: "HasBinding",
  token: "HasToken",
  approval: "HasApproval",
  finalize: "HasFinalize",
  proxy: "HasProxy",
} as const;

/** A subresource that has a marker interface. */
export type MarkedSubresource = keyof typeof markerBySubresource;
