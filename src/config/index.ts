export { loadConfig, describeSettings, redactUrl, ConfigError } from './config.js';
export type { Config, ConfigErrorCode, Environment } from './config.js';
