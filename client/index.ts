/** What product teams import to read monoenv flags from their services. */
export { MonoenvOfrepProvider } from './ofrep-provider';
export type { MonoenvOfrepProviderOptions } from './ofrep-provider';
