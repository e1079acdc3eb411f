//! The order ipvsadm 1.31 lists services and real servers in.
//!
//! ipvsadm sorts with glibc's `qsort` and comparators that subtract unsigned
//! 32-bit values and return the difference as an `int`. Two values more than
//! 2^31 apart therefore compare the "wrong" way round (10.0.0.1 sorts after
//! 192.168.0.1, fwmark 0x80000001 before an address service), and the
//! comparison is not transitive, so the result depends on the algorithm.
//! glibc 2.36's `qsort` is a stable top-down merge sort (left half
//! `n / 2`, ties keep the left element); this module reproduces both the
//! comparators and that algorithm, so the order matches in every case.

use std::net::IpAddr;

use ipvs::model::{AddressFamily, DestinationEntry, Service, ServiceEntry, ServiceKey};

use super::ServiceListing;

/// Orders `0..items.len()` the way glibc 2.36's merge-sort `qsort` would
/// order the items with `cmp` (a C comparator: negative, zero or positive).
pub(crate) fn glibc_qsort_order<T>(items: &[T], cmp: impl Fn(&T, &T) -> i32) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    let by_index = |a: usize, b: usize| cmp(&items[a], &items[b]);
    // A service's real servers are a handful: their scratch space is on the stack.
    if items.len() <= SMALL_SORT {
        let mut tmp = [0; SMALL_SORT];
        merge_sort(&mut order, &mut tmp[..items.len()], &by_index);
    } else {
        let mut tmp = vec![0; items.len()];
        merge_sort(&mut order, &mut tmp, &by_index);
    }
    order
}

/// Lists up to this long are sorted without heap scratch space.
const SMALL_SORT: usize = 32;

/// glibc's `msort_with_tmp`: sorts `b` (indices) with `tmp` (as long) as
/// scratch space.
fn merge_sort<F: Fn(usize, usize) -> i32>(b: &mut [usize], tmp: &mut [usize], cmp: &F) {
    let n = b.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    merge_sort(&mut b[..n1], tmp, cmp);
    merge_sort(&mut b[n1..], tmp, cmp);

    let (mut i, mut j, mut k) = (0, n1, 0);
    while i < n1 && j < n {
        if cmp(b[i], b[j]) <= 0 {
            tmp[k] = b[i];
            i += 1;
        } else {
            tmp[k] = b[j];
            j += 1;
        }
        k += 1;
    }
    // What is left of the right half is in place already.
    while i < n1 {
        tmp[k] = b[i];
        i += 1;
        k += 1;
    }
    b[..k].copy_from_slice(&tmp[..k]);
}

fn wrapping_diff(a: u32, b: u32) -> i32 {
    a.wrapping_sub(b) as i32
}

/// An address as libipvs keeps it: four host-order 32-bit words, IPv4 in the
/// first one and the rest zero.
fn address_words(addr: &IpAddr) -> [u32; 4] {
    match addr {
        IpAddr::V4(a) => [u32::from(*a), 0, 0, 0],
        IpAddr::V6(a) => {
            let o = a.octets();
            let word = |i: usize| u32::from_be_bytes([o[i], o[i + 1], o[i + 2], o[i + 3]]);
            [word(0), word(4), word(8), word(12)]
        }
    }
}

/// Compares addresses the way libipvs does: all four words when the first
/// one is IPv6, only the first word otherwise.
fn compare_addresses(family: AddressFamily, a: &[u32; 4], b: &[u32; 4]) -> i32 {
    match family {
        AddressFamily::Inet6 => a
            .iter()
            .zip(b)
            .map(|(x, y)| wrapping_diff(*x, *y))
            .find(|&r| r != 0)
            .unwrap_or(0),
        AddressFamily::Inet => wrapping_diff(a[0], b[0]),
    }
}

/// The fields of a service entry that libipvs's `ipvs_cmp_services` reads.
/// Fwmark services have protocol, address and port zero.
struct ServiceSortKey {
    fwmark: u32,
    family: AddressFamily,
    protocol: u16,
    words: [u32; 4],
    port: u16,
}

impl ServiceSortKey {
    fn of(service: &Service) -> Self {
        match &service.key {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => ServiceSortKey {
                fwmark: 0,
                family: AddressFamily::of(addr),
                protocol: protocol.to_raw(),
                words: address_words(addr),
                port: *port,
            },
            ServiceKey::Fwmark { family, mark } => ServiceSortKey {
                fwmark: *mark,
                family: *family,
                protocol: 0,
                words: [0; 4],
                port: 0,
            },
        }
    }
}

/// libipvs's `ipvs_cmp_services`: fwmark, then address family, protocol,
/// address and port.
fn compare_services(a: &ServiceSortKey, b: &ServiceSortKey) -> i32 {
    let r = wrapping_diff(a.fwmark, b.fwmark);
    if r != 0 {
        return r;
    }
    let r = i32::from(a.family.to_raw()) - i32::from(b.family.to_raw());
    if r != 0 {
        return r;
    }
    let r = i32::from(a.protocol) - i32::from(b.protocol);
    if r != 0 {
        return r;
    }
    let r = compare_addresses(a.family, &a.words, &b.words);
    if r != 0 {
        return r;
    }
    i32::from(a.port) - i32::from(b.port)
}

/// libipvs's `ipvs_cmp_dests`: address (in the first entry's family), then port.
/// What ipvsadm compares of a real server, taken out once per entry.
struct DestinationSortKey {
    family: AddressFamily,
    words: [u32; 4],
    port: u16,
}

impl DestinationSortKey {
    fn of(entry: &DestinationEntry) -> Self {
        let d = &entry.destination;
        DestinationSortKey {
            family: d.family(),
            words: address_words(&d.addr),
            port: d.port,
        }
    }
}

/// The left entry's family says how many address words count.
fn compare_destinations(a: &DestinationSortKey, b: &DestinationSortKey) -> i32 {
    let r = compare_addresses(a.family, &a.words, &b.words);
    if r != 0 {
        return r;
    }
    i32::from(a.port) - i32::from(b.port)
}

/// The order ipvsadm lists services in: sorted, or as given with `--nosort`.
pub(crate) fn service_order(services: &[ServiceListing], sort: bool) -> Vec<usize> {
    entry_order(services.iter().map(|s| &s.entry), sort)
}

/// [`service_order`] of bare service entries.
pub(crate) fn entry_order<'a>(
    entries: impl ExactSizeIterator<Item = &'a ServiceEntry>,
    sort: bool,
) -> Vec<usize> {
    if !sort {
        return (0..entries.len()).collect();
    }
    let keys: Vec<ServiceSortKey> = entries.map(|e| ServiceSortKey::of(&e.service)).collect();
    glibc_qsort_order(&keys, compare_services)
}

/// The order ipvsadm lists a service's real servers in.
pub(crate) fn destination_order(destinations: &[DestinationEntry], sort: bool) -> Vec<usize> {
    if !sort {
        return (0..destinations.len()).collect();
    }
    let keys: Vec<DestinationSortKey> = destinations.iter().map(DestinationSortKey::of).collect();
    glibc_qsort_order(&keys, compare_destinations)
}

/// Puts `items` into `order` (item `k` becomes the one at `order[k]`) in
/// place, by following each cycle of the permutation: no copy of the items
/// (a listing of 100,000 real servers is large). `order` is used up.
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    const PLACED: usize = usize::MAX;
    for start in 0..items.len() {
        let mut k = start;
        while order[k] != PLACED {
            let from = order[k];
            order[k] = PLACED;
            if from == start {
                break;
            }
            items.swap(k, from);
            k = from;
        }
    }
}

/// Sorts one service's real servers into ipvsadm 1.31's order (services
/// come in that order from [`listings_in_order`](super::listings_in_order)).
///
/// [`write_list`](super::write_list), [`write_service`](super::write_service)
/// and [`write_save`](super::write_save) already apply this order: give them
/// the kernel's order. Because ipvsadm's comparison is not transitive,
/// sorting an already sorted list again can change it.
pub fn sort_destinations(destinations: &mut [DestinationEntry]) {
    let mut order = destination_order(destinations, true);
    permute(destinations, &mut order);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sort_is_stable_and_sorts() {
        let items = [5, 3, 5, 1, 9, 3, 0, 7];
        let order = glibc_qsort_order(&items, |a, b| a - b);
        assert_eq!(order, vec![6, 3, 1, 5, 0, 2, 7, 4]);
    }

    /// Cases recorded from glibc 2.36's `qsort` (the C library the
    /// reference ipvsadm runs on) sorting 208-byte records with the
    /// wrapping comparator: `N VALUES... | SORTED ORIGINAL INDICES...`.
    #[test]
    fn matches_recorded_glibc_qsort_results() {
        let cases = include_str!("testdata/glibc_qsort_cases.txt");
        for line in cases.lines() {
            let (input, output) = line.split_once(" |").unwrap();
            let values: Vec<u32> = input
                .split(' ')
                .skip(1)
                .map(|v| v.parse().unwrap())
                .collect();
            let expected: Vec<usize> = output
                .split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect();
            let got = glibc_qsort_order(&values, |a, b| wrapping_diff(*a, *b));
            assert_eq!(got, expected, "{line}");
        }
    }

    #[test]
    fn permute_puts_every_item_where_the_order_says() {
        // Every permutation of 5 items (cycles of every length, fixed points).
        let mut orders = vec![vec![]];
        for n in 0..5 {
            orders = orders
                .into_iter()
                .flat_map(|o: Vec<usize>| {
                    (0..=n).map(move |at| {
                        let mut o = o.clone();
                        o.insert(at, n);
                        o
                    })
                })
                .collect();
        }
        assert_eq!(orders.len(), 120);
        for order in orders {
            let items: Vec<String> = (0..5).map(|i| format!("item{i}")).collect();
            let expected: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut permuted = items.clone();
            permute(&mut permuted, &mut order.clone());
            assert_eq!(permuted, expected, "{order:?}");
        }
    }

    #[test]
    fn wrapping_comparison_reverses_far_apart_values() {
        assert!(wrapping_diff(0x0a00_0001, 0xc0a8_0001) > 0);
        assert!(wrapping_diff(0x0a00_0001, 0x6400_0001) < 0);
        assert!(wrapping_diff(0x6400_0001, 0xc0a8_0001) < 0);
    }

    #[test]
    fn non_transitive_input_follows_the_merge_pattern() {
        // 10.x < 100.x < 192.x pairwise by distance, but 10.x > 192.x.
        let items: [u32; 3] = [0xc0a8_0001, 0x0a00_0001, 0x6400_0001];
        let order = glibc_qsort_order(&items, |a, b| wrapping_diff(*a, *b));
        // Halves [192] and [10, 100]: the right half sorts to [10, 100];
        // merging: 192 vs 10 -> 10 first is wrong (10 > 192), so 192 first,
        // then 10, 100.
        assert_eq!(order, vec![0, 1, 2]);

        let items: [u32; 3] = [0x0a00_0001, 0xc0a8_0001, 0x6400_0001];
        let order = glibc_qsort_order(&items, |a, b| wrapping_diff(*a, *b));
        // [10] and [192, 100] -> [100, 192]; merge 10 vs 100 -> 10, then 100, 192.
        assert_eq!(order, vec![0, 2, 1]);
    }
}
