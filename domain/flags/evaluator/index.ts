/** The feature-flag evaluator: flagd flag documents in, OpenFeature-style results out. Pure: no AWS, no I/O. */
export * from './types';
export { parseFlagDocument, checkFlagDocument, type DocumentCheck } from './parse';
export { mergeFlagDocuments } from './merge';
export { compileFlagSet, type CompileOptions } from './compile';
export { compileTrustedFlagSet, type StoredFlagDocument } from './compile-trusted';
export { evaluateFlag, evaluateAll } from './evaluate';
export { CLIENT_VISIBLE, clientVisibleSet } from './visibility';
export { resolveTyped, hasType, type FlagValueType, type TypedResolution } from './resolve-typed';
export { contentRevision, canonicalJson } from './revision';
export { nameRecord } from './names';
export { hashBucketKey, bucketOf } from './operators/fractional';
export { parseVersion, compareVersions } from './operators/sem-ver';
