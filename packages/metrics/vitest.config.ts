import { packageTestConfig } from '../../scripts/vitest-package-config.mjs';

export default packageTestConfig();
