/** What an informer tells its handlers and iterators: one change to its cache. */
export type InformerEvent<T> =
  | { type: "ADDED"; object: T }
  | { type: "MODIFIED"; object: T; oldObject: T; resync: boolean }
  | { type: "DELETED"; object: T; finalStateUnknown: boolean };
