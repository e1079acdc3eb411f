# Canonical rendering of the requests ipvsadm sent (from the shim log).
import sys, struct, socket
CMDS={1:'NEW_SERVICE',2:'SET_SERVICE',3:'DEL_SERVICE',4:'GET_SERVICE',5:'NEW_DEST',6:'SET_DEST',7:'DEL_DEST',8:'GET_DEST',9:'NEW_DAEMON',10:'DEL_DAEMON',11:'GET_DAEMON',12:'SET_CONFIG',13:'GET_CONFIG',15:'GET_INFO',16:'ZERO',17:'FLUSH'}
def attrs(b):
    i=0; out={}
    while i+4<=len(b):
        l,t=struct.unpack_from('<HH',b,i)
        if l<4: break
        out[t&0x3fff]=b[i+4:i+l]; i+=(l+3)&~3
    return out
u16=lambda v: struct.unpack('<H',v)[0]
u32=lambda v: struct.unpack('<I',v)[0]
def addr(af,v):
    return socket.inet_ntop(socket.AF_INET,v[:4]) if af==2 else socket.inet_ntop(socket.AF_INET6,v[:16])
def key(s):
    af=u16(s[1])
    if 5 in s: return 'af=%d fwmark=%d'%(af,u32(s[5]))
    return 'af=%d proto=%d addr=%s port=%d'%(af,u16(s[2]),addr(af,s[3]),struct.unpack('>H',s[4])[0])
def render(m):
    cmd=m[16]; a=attrs(m[20:]); name=CMDS.get(cmd,str(cmd))
    if cmd==15: return None
    s=attrs(a[1]) if 1 in a else None
    d=attrs(a[2]) if 2 in a else None
    if cmd in (1,2):
        pe=' pe='+s[11].rstrip(b'\0').decode('latin1') if 11 in s else ''
        return '%s %s sched=%s%s flags=%#x timeout=%d netmask=%s'%(name,key(s),s[6].rstrip(b'\0').decode('latin1'),pe,u32(s[7][:4]),u32(s[8]),s[9].hex())
    if cmd in (3,4): return '%s %s'%(name,key(s)) if s else name
    if cmd==16: return '%s %s'%(name,key(s)) if s else name
    if cmd in (5,6,7):
        daf=u16(d[11]); base='%s %s dest af=%d addr=%s port=%d'%(name,key(s),daf,addr(daf,d[1]),struct.unpack('>H',d[2])[0])
        if cmd==7: return base
        return base+' fwd=%d weight=%d uthr=%d lthr=%d tun_type=%d tun_port=%d tun_flags=%d'%(u32(d[3]),u32(d[4]),u32(d[5]),u32(d[6]),d[13][0],struct.unpack('>H',d[14])[0],u16(d[15]))
    if cmd==12: return '%s tcp=%d tcpfin=%d udp=%d'%(name,u32(a[4]),u32(a[5]),u32(a[6]))
    if cmd in (9,10):
        dm=attrs(a[3]); r='%s state=%d syncid=%d'%(name,u32(dm[1]),u32(dm[3]))
        if cmd==10: return r
        r+=' ifn=%s'%dm[2].rstrip(b'\0').decode('latin1')
        if 4 in dm: r+=' maxlen=%d'%u16(dm[4])
        if 7 in dm: r+=' mport=%d'%u16(dm[7])
        if 8 in dm: r+=' ttl=%d'%dm[8][0]
        if 5 in dm: r+=' group=%s'%socket.inet_ntop(socket.AF_INET,dm[5])
        if 6 in dm: r+=' group=%s'%socket.inet_ntop(socket.AF_INET6,dm[6])
        return r
    return name
for line in open(sys.argv[1]):
    r=render(bytes.fromhex(line.strip()))
    if r: print(r)
