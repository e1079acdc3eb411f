//! What a program asks of IPVS, as a trait: [`Client`] does it in the
//! kernel, [`crate::fake::FakeIpvs`] in memory, so that code driving IPVS can
//! be tested without root.

use std::net::IpAddr;

use crate::client::{Client, Error};
use crate::model::{
    DaemonState, Destination, DestinationEntry, Service, ServiceEntry, ServiceKey, ServiceListing,
    SyncDaemon, Timeouts,
};
use crate::Request;

/// Reading and changing an IPVS table, its timeouts and its sync daemons.
///
/// The required methods are what an implementation provides; the others
/// are the single changes as named calls, each one [`Ipvs::execute`].
pub trait Ipvs {
    /// Every service, in the kernel's order.
    fn services(&mut self) -> Result<Vec<ServiceEntry>, Error>;

    /// One service; `Error::Kernel { errno: ESRCH }` if there is none.
    fn service(&mut self, key: &ServiceKey) -> Result<ServiceEntry, Error>;

    /// The real servers of a service, in the kernel's order (none for a
    /// service that does not exist).
    fn destinations(&mut self, key: &ServiceKey) -> Result<Vec<DestinationEntry>, Error>;

    /// The TCP, TCP FIN and UDP timeouts.
    fn timeouts(&mut self) -> Result<Timeouts, Error>;

    /// The running sync daemons.
    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error>;

    /// Makes one change.
    fn execute(&mut self, request: &Request) -> Result<(), Error>;

    /// Makes many changes, each attempted whatever the others gave: one
    /// outcome per request. `Err` means the exchange itself broke; requests
    /// sent until then may have been applied.
    fn execute_batch(&mut self, requests: &[Request]) -> Result<Vec<Result<(), Error>>, Error>;

    /// Every service with its real servers, in the kernel's order.
    fn listing(&mut self) -> Result<Vec<ServiceListing>, Error> {
        let services = self.services()?;
        let mut listing = Vec::with_capacity(services.len());
        for entry in services {
            let destinations = self.destinations(&entry.service.key)?;
            listing.push(ServiceListing {
                entry,
                destinations,
            });
        }
        Ok(listing)
    }

    /// Adds a virtual service.
    fn add_service(&mut self, service: &Service) -> Result<(), Error> {
        self.execute(&Request::AddService(service.clone()))
    }

    /// Replaces a service's configuration.
    fn edit_service(&mut self, service: &Service) -> Result<(), Error> {
        self.execute(&Request::EditService(service.clone()))
    }

    /// Deletes a service with its real servers.
    fn delete_service(&mut self, key: &ServiceKey) -> Result<(), Error> {
        self.execute(&Request::DeleteService(*key))
    }

    /// Adds a real server to a service.
    fn add_destination(&mut self, key: &ServiceKey, dest: &Destination) -> Result<(), Error> {
        self.execute(&Request::AddDestination(*key, *dest))
    }

    /// Replaces a real server's configuration.
    fn edit_destination(&mut self, key: &ServiceKey, dest: &Destination) -> Result<(), Error> {
        self.execute(&Request::EditDestination(*key, *dest))
    }

    /// Deletes a real server.
    fn delete_destination(
        &mut self,
        key: &ServiceKey,
        addr: IpAddr,
        port: u16,
    ) -> Result<(), Error> {
        self.execute(&Request::DeleteDestination(*key, addr, port))
    }

    /// Deletes every service.
    fn flush(&mut self) -> Result<(), Error> {
        self.execute(&Request::Flush)
    }

    /// Zeroes the counters of one service, or of all.
    fn zero(&mut self, key: Option<&ServiceKey>) -> Result<(), Error> {
        self.execute(&Request::Zero(key.copied()))
    }

    /// Sets timeouts (a zero leaves that one unchanged).
    fn set_timeouts(&mut self, timeouts: &Timeouts) -> Result<(), Error> {
        self.execute(&Request::SetTimeouts(*timeouts))
    }

    /// Starts a sync daemon.
    fn start_daemon(&mut self, daemon: &SyncDaemon) -> Result<(), Error> {
        self.execute(&Request::StartDaemon(daemon.clone()))
    }

    /// Stops the sync daemon in `state`.
    fn stop_daemon(&mut self, state: DaemonState) -> Result<(), Error> {
        self.execute(&Request::StopDaemon(state))
    }
}

impl Ipvs for Client {
    fn services(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        Client::services(self)
    }

    fn service(&mut self, key: &ServiceKey) -> Result<ServiceEntry, Error> {
        Client::service(self, key)
    }

    fn destinations(&mut self, key: &ServiceKey) -> Result<Vec<DestinationEntry>, Error> {
        Client::destinations(self, key)
    }

    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        Client::timeouts(self)
    }

    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        Client::daemons(self)
    }

    fn execute(&mut self, request: &Request) -> Result<(), Error> {
        Client::execute(self, request)
    }

    fn execute_batch(&mut self, requests: &[Request]) -> Result<Vec<Result<(), Error>>, Error> {
        Client::execute_batch(self, requests)
    }
}

impl<T: Ipvs + ?Sized> Ipvs for &mut T {
    fn services(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        (**self).services()
    }

    fn service(&mut self, key: &ServiceKey) -> Result<ServiceEntry, Error> {
        (**self).service(key)
    }

    fn destinations(&mut self, key: &ServiceKey) -> Result<Vec<DestinationEntry>, Error> {
        (**self).destinations(key)
    }

    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        (**self).timeouts()
    }

    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        (**self).daemons()
    }

    fn execute(&mut self, request: &Request) -> Result<(), Error> {
        (**self).execute(request)
    }

    fn execute_batch(&mut self, requests: &[Request]) -> Result<Vec<Result<(), Error>>, Error> {
        (**self).execute_batch(requests)
    }
}
