/** Environment for every Serverless CLI run: no telemetry, no update notices, no AWS metadata probes. */
export const SERVERLESS_CLI_ENV = {
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;
