# Runs each case through the reference ipvsadm (with fake_kernel.so preloaded)
# and writes the expected-results file.  Usage: record.py CASES OUTPUT  Case file: one case per line, arguments separated
# by single spaces, %XX escapes for special bytes; "<<<" starts stdin text.
import subprocess, sys, os, tempfile, urllib.parse
HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.join(HERE, 'fake_kernel.so')
def enc(b, space=False):
    return ''.join(chr(c) if ((0x21<=c<0x7f or (space and c==0x20)) and chr(c) not in '%\\') else '%%%02X'%c for c in b)
out=[]
for raw in open(sys.argv[1], encoding='latin1'):
    raw=raw.rstrip('\n')
    if not raw or raw.startswith(';'): continue
    stdin=b''
    if '<<<' in raw:
        raw, s = raw.split('<<<',1); raw=raw.rstrip(); stdin=urllib.parse.unquote_to_bytes(s)
    args=[b'' if a=="''" else urllib.parse.unquote_to_bytes(a) for a in raw.split(' ')] if raw else []
    log=tempfile.mktemp()
    env=dict(os.environ, IPVS_SHIM_LOG=log, LD_PRELOAD=SHIM)
    env.pop('POSIXLY_CORRECT',None)
    # argv[0] must be "ipvsadm": use bash exec -a
    p=subprocess.run(['bash','-c','exec -a ipvsadm /sbin/ipvsadm "$@"','ipvsadm']+args, input=stdin, capture_output=True, env=env)
    req=[]
    if os.path.exists(log):
        req=subprocess.run([sys.executable, os.path.join(HERE, 'canon.py'), log],capture_output=True,text=True).stdout.splitlines()
        os.unlink(log)
    out.append('case: '+' '.join(enc(a) for a in args))
    if stdin: out.append('stdin: '+enc(stdin, True))
    out.append('rc: %d'%p.returncode)
    if p.stderr: out.append('stderr: '+enc(p.stderr, True))
    for r in req: out.append('req: '+r)
    out.append('')
open(sys.argv[2],'w').write('\n'.join(out))
