#!/usr/bin/env node
// The browser tests need Debian's Chromium (SwiftShader WebGPU) at /usr/bin/chromium. Install it with apt
// when we are root on Debian; otherwise say exactly what is missing.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const PACKAGES = 'chromium mesa-vulkan-drivers libvulkan1';

if (!existsSync(CHROMIUM) || !existsSync('/usr/lib/chromium/libvk_swiftshader.so')) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `ensure-chromium: ${CHROMIUM} is missing; install Debian's packages: apt-get install ${PACKAGES}`,
    );
    process.exit(1);
  }
  console.log(`ensure-chromium: installing ${PACKAGES}`);
  execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${PACKAGES}`, {
    stdio: 'inherit',
    shell: '/bin/bash',
  });
}
