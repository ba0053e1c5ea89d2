const { scanHome } = await import('./dist/home/scan.js');
const w = Number(process.argv[2]);
const t0 = performance.now();
const inv = await scanHome('/tmp/h2k', { cache: false, workers: w });
console.log('workers', w, (performance.now()-t0).toFixed(0), 'ms', inv.summary.dagFiles, 'files', (inv.summary.bytes/1e6).toFixed(1),'MB', 'rss', (process.resourceUsage().maxRSS/1024).toFixed(0));
