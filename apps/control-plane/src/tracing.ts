import { startTracing } from '@app/telemetry';

// Imported first by main: the instrumentations patch http and pg only if they load before them.
startTracing('control-plane');
