use super::{DestinationEntry, ServiceEntry};

/// A service with its real servers, as the kernel lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceListing {
    /// The service and its counters.
    pub entry: ServiceEntry,
    /// Its real servers, with their counters.
    pub destinations: Vec<DestinationEntry>,
}
