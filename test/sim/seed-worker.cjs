// A simulator worker thread for the sim tests (seed-pool.ts): TypeScript is loaded by tsx here, outside
// jest's module sandbox, where the simulator runs at plain Node speed.
require('tsx/cjs/api').register();
require('./seed-worker-main.ts');
