/** Keeps the import arrows of ARCHITECTURE.md true: cli → sdk → app → http → areas → hub → media → base. */
const inner = (area) => `^src/${area}/`;

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'base-is-a-leaf',
      severity: 'error',
      from: { path: inner('base') },
      to: { path: '^src/', pathNot: inner('base') },
    },
    {
      name: 'media-knows-no-io-or-hub',
      severity: 'error',
      from: { path: inner('media') },
      to: { path: '^src/', pathNot: ['^src/media/', '^src/base/'] },
    },
    {
      name: 'hub-knows-no-protocol',
      severity: 'error',
      from: { path: inner('hub') },
      to: { path: '^src/', pathNot: ['^src/hub/', '^src/media/', '^src/base/'] },
    },
    {
      name: 'config-depends-on-base-only',
      severity: 'error',
      from: { path: inner('config') },
      to: { path: '^src/', pathNot: ['^src/config/', '^src/base/'] },
    },
    {
      name: 'protocols-never-import-each-other',
      severity: 'error',
      from: { path: '^src/protocols/([^/]+)/' },
      to: { path: '^src/protocols/', pathNot: '^src/protocols/$1/' },
    },
    {
      name: 'protocols-stay-below-the-app',
      severity: 'error',
      from: { path: '^src/protocols/' },
      to: { path: ['^src/app/', '^src/sdk/', '^src/cli/', '^src/http/', '^src/config/'] },
    },
    {
      name: 'http-stays-below-the-app',
      severity: 'error',
      from: { path: inner('http') },
      to: { path: ['^src/app/', '^src/sdk/', '^src/cli/', '^src/protocols/'] },
    },
    {
      name: 'only-the-app-builds-services',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/app/', '^src/index\\.ts$', '^src/protocols/', '\\.test\\.ts$'] },
      to: { path: '^src/protocols/' },
    },
    {
      name: 'areas-use-public-surfaces',
      comment: 'import another area through its index.ts, not its inner files',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^src/(base|media|hub|config|events|http|app|sdk)/.+',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
