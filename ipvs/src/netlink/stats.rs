//! Statistics attributes (`IPVS_STATS_ATTR_*`), nested in `IPVS_SVC_ATTR_STATS`,
//! `IPVS_SVC_ATTR_STATS64`, `IPVS_DEST_ATTR_STATS` and `IPVS_DEST_ATTR_STATS64`.
//!
//! Kernel facts: the 32-bit set (`*_STATS`) has `u32` counters except the byte
//! counters, which are `u64`; the 64-bit set (`*_STATS64`, since Linux 4.0) has
//! `u64` everywhere. 64-bit values are put with `nla_put_u64_64bit`, which may
//! insert a zero-length `IPVS_STATS_ATTR_PAD` attribute for alignment.

use netlink_packet_core::{
    emit_u32, emit_u64, parse_u32, parse_u64, DecodeError, DefaultNla, Nla, NlaBuffer, Parseable,
};

use super::constants::*;
use super::nla::for_each_nla;
use crate::model::Stats;

/// A counter value with the width it has (or will have) on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    U32(u32),
    U64(u64),
}

impl Counter {
    /// The value, widened.
    pub fn value(self) -> u64 {
        match self {
            Counter::U32(v) => u64::from(v),
            Counter::U64(v) => v,
        }
    }

    fn len(self) -> usize {
        match self {
            Counter::U32(_) => 4,
            Counter::U64(_) => 8,
        }
    }

    fn emit(self, buffer: &mut [u8]) {
        // The buffer is exactly `len()` bytes (Emitable contract), so these cannot fail.
        let _ = match self {
            Counter::U32(v) => emit_u32(buffer, v),
            Counter::U64(v) => emit_u64(buffer, v),
        };
    }

    /// Reads a 4- or 8-byte counter; any other length is an error.
    fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        match value.len() {
            4 => Ok(Counter::U32(parse_u32(value)?)),
            8 => Ok(Counter::U64(parse_u64(value)?)),
            other => Err(DecodeError::from(format!(
                "counter attribute has {other} bytes, expected 4 or 8"
            ))),
        }
    }
}

/// One statistics attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatsAttr {
    Conns(Counter),
    InPkts(Counter),
    OutPkts(Counter),
    InBytes(Counter),
    OutBytes(Counter),
    Cps(Counter),
    InPps(Counter),
    OutPps(Counter),
    InBps(Counter),
    OutBps(Counter),
    /// Anything else, `IPVS_STATS_ATTR_PAD` included, kept as it came.
    Other(DefaultNla),
}

impl StatsAttr {
    fn counter(&self) -> Option<Counter> {
        use StatsAttr::*;
        match self {
            Conns(c) | InPkts(c) | OutPkts(c) | InBytes(c) | OutBytes(c) | Cps(c) | InPps(c)
            | OutPps(c) | InBps(c) | OutBps(c) => Some(*c),
            Other(_) => None,
        }
    }
}

impl Nla for StatsAttr {
    fn value_len(&self) -> usize {
        match self {
            StatsAttr::Other(nla) => nla.value_len(),
            other => other.counter().map_or(0, Counter::len),
        }
    }

    fn kind(&self) -> u16 {
        use StatsAttr::*;
        match self {
            Conns(_) => IPVS_STATS_ATTR_CONNS,
            InPkts(_) => IPVS_STATS_ATTR_INPKTS,
            OutPkts(_) => IPVS_STATS_ATTR_OUTPKTS,
            InBytes(_) => IPVS_STATS_ATTR_INBYTES,
            OutBytes(_) => IPVS_STATS_ATTR_OUTBYTES,
            Cps(_) => IPVS_STATS_ATTR_CPS,
            InPps(_) => IPVS_STATS_ATTR_INPPS,
            OutPps(_) => IPVS_STATS_ATTR_OUTPPS,
            InBps(_) => IPVS_STATS_ATTR_INBPS,
            OutBps(_) => IPVS_STATS_ATTR_OUTBPS,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            StatsAttr::Other(nla) => nla.emit_value(buffer),
            other => {
                if let Some(counter) = other.counter() {
                    counter.emit(buffer);
                }
            }
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for StatsAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        Ok(match buf.kind() {
            IPVS_STATS_ATTR_CONNS => StatsAttr::Conns(Counter::parse(value)?),
            IPVS_STATS_ATTR_INPKTS => StatsAttr::InPkts(Counter::parse(value)?),
            IPVS_STATS_ATTR_OUTPKTS => StatsAttr::OutPkts(Counter::parse(value)?),
            IPVS_STATS_ATTR_INBYTES => StatsAttr::InBytes(Counter::parse(value)?),
            IPVS_STATS_ATTR_OUTBYTES => StatsAttr::OutBytes(Counter::parse(value)?),
            IPVS_STATS_ATTR_CPS => StatsAttr::Cps(Counter::parse(value)?),
            IPVS_STATS_ATTR_INPPS => StatsAttr::InPps(Counter::parse(value)?),
            IPVS_STATS_ATTR_OUTPPS => StatsAttr::OutPps(Counter::parse(value)?),
            IPVS_STATS_ATTR_INBPS => StatsAttr::InBps(Counter::parse(value)?),
            IPVS_STATS_ATTR_OUTBPS => StatsAttr::OutBps(Counter::parse(value)?),
            _ => StatsAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}

/// The counters of a stats nest. All ten counters are required (as libipvs
/// requires them); unknown attributes and padding are ignored.
pub fn stats_from_attrs(attrs: &[StatsAttr]) -> Result<Stats, DecodeError> {
    let mut fields = StatsFields::default();
    for attr in attrs {
        fields.take(attr);
    }
    fields.finish()
}

/// The counters found in the value of a stats nest, each attribute checked
/// as [`StatsAttr`] parsing checks it.
pub(crate) fn stats_fields_from_bytes(value: &[u8]) -> Result<StatsFields, DecodeError> {
    let mut fields = StatsFields::default();
    for_each_nla(value, |kind, value| {
        if let Some(slot) = StatsFields::slot(kind) {
            fields.0[slot] = Some(Counter::parse(value)?.value());
        }
        Ok(())
    })?;
    Ok(fields)
}

/// Counters gathered from stats attributes, by `IPVS_STATS_ATTR_*` order.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StatsFields([Option<u64>; 10]);

impl StatsFields {
    /// The slot of a counter attribute kind (`CONNS` .. `OUTBPS`).
    fn slot(kind: u16) -> Option<usize> {
        let slot = match kind {
            IPVS_STATS_ATTR_CONNS => 0,
            IPVS_STATS_ATTR_INPKTS => 1,
            IPVS_STATS_ATTR_OUTPKTS => 2,
            IPVS_STATS_ATTR_INBYTES => 3,
            IPVS_STATS_ATTR_OUTBYTES => 4,
            IPVS_STATS_ATTR_CPS => 5,
            IPVS_STATS_ATTR_INPPS => 6,
            IPVS_STATS_ATTR_OUTPPS => 7,
            IPVS_STATS_ATTR_INBPS => 8,
            IPVS_STATS_ATTR_OUTBPS => 9,
            _ => return None,
        };
        Some(slot)
    }

    fn take(&mut self, attr: &StatsAttr) {
        if let (Some(slot), Some(counter)) = (Self::slot(attr.kind()), attr.counter()) {
            self.0[slot] = Some(counter.value());
        }
    }

    /// The stats, or which counter is missing.
    pub(crate) fn finish(self) -> Result<Stats, DecodeError> {
        const NAMES: [&str; 10] = [
            "CONNS", "INPKTS", "OUTPKTS", "INBYTES", "OUTBYTES", "CPS", "INPPS", "OUTPPS", "INBPS",
            "OUTBPS",
        ];
        let mut values = [0u64; 10];
        for (i, field) in self.0.iter().enumerate() {
            values[i] = field.ok_or_else(|| {
                DecodeError::from(format!("stats lack IPVS_STATS_ATTR_{}", NAMES[i]))
            })?;
        }
        let [conns, inpkts, outpkts, inbytes, outbytes, cps, inpps, outpps, inbps, outbps] = values;
        Ok(Stats {
            conns,
            inpkts,
            outpkts,
            inbytes,
            outbytes,
            cps,
            inpps,
            outpps,
            inbps,
            outbps,
        })
    }
}

/// The 32-bit stats nest as the kernel fills it (values truncated to 32 bits
/// where the kernel truncates them). Used to build kernel-like replies in tests.
pub fn stats_attrs32(stats: &Stats) -> Vec<StatsAttr> {
    let c32 = |v: u64| Counter::U32(v as u32);
    vec![
        StatsAttr::Conns(c32(stats.conns)),
        StatsAttr::InPkts(c32(stats.inpkts)),
        StatsAttr::OutPkts(c32(stats.outpkts)),
        StatsAttr::InBytes(Counter::U64(stats.inbytes)),
        StatsAttr::OutBytes(Counter::U64(stats.outbytes)),
        StatsAttr::Cps(c32(stats.cps)),
        StatsAttr::InPps(c32(stats.inpps)),
        StatsAttr::OutPps(c32(stats.outpps)),
        StatsAttr::InBps(c32(stats.inbps)),
        StatsAttr::OutBps(c32(stats.outbps)),
    ]
}

/// The 64-bit stats nest, in the kernel's order (without padding attributes).
pub fn stats_attrs64(stats: &Stats) -> Vec<StatsAttr> {
    let c = Counter::U64;
    vec![
        StatsAttr::Conns(c(stats.conns)),
        StatsAttr::InPkts(c(stats.inpkts)),
        StatsAttr::OutPkts(c(stats.outpkts)),
        StatsAttr::InBytes(c(stats.inbytes)),
        StatsAttr::OutBytes(c(stats.outbytes)),
        StatsAttr::Cps(c(stats.cps)),
        StatsAttr::InPps(c(stats.inpps)),
        StatsAttr::OutPps(c(stats.outpps)),
        StatsAttr::InBps(c(stats.inbps)),
        StatsAttr::OutBps(c(stats.outbps)),
    ]
}

/// A stats nest as found in an entry: its parsed attributes, or its bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StatsNest<'a> {
    Attrs(&'a [StatsAttr]),
    Bytes(&'a [u8]),
}

impl StatsNest<'_> {
    /// Checks the nest as parsing it into attributes would, and gathers its counters.
    pub(crate) fn fields(self) -> Result<StatsFields, DecodeError> {
        match self {
            StatsNest::Attrs(attrs) => {
                let mut fields = StatsFields::default();
                for attr in attrs {
                    fields.take(attr);
                }
                Ok(fields)
            }
            StatsNest::Bytes(value) => stats_fields_from_bytes(value),
        }
    }
}

/// Picks the counters of a service or destination from its stats nests in
/// either form: the 64-bit counters when present, else the 32-bit ones, else
/// all zero (as libipvs does). Both nests must be well-formed.
pub(crate) fn pick_stats_nest(
    stats64: Option<StatsNest<'_>>,
    stats32: Option<StatsNest<'_>>,
) -> Result<Stats, DecodeError> {
    let stats64 = stats64.map(StatsNest::fields).transpose()?;
    let stats32 = stats32.map(StatsNest::fields).transpose()?;
    match (stats64, stats32) {
        (Some(fields), _) | (None, Some(fields)) => fields.finish(),
        (None, None) => Ok(Stats::default()),
    }
}
