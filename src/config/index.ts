export { loadConfig, describeSettings, redactUrl, ConfigError } from './config.js';
export { adminSocketPath, nodeSocketPath, modelFiles, devDir, rootCertPath, logKeyPath, tokenKeyPath } from './paths.js';
export type { Config, ConfigErrorCode, Environment } from './config.js';
