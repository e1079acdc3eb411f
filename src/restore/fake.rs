//! A kernel for tests: a [`Table`] that answers like the kernel and fails
//! the requests it is told to.

use ipvs::client::{Error as ClientError, Request};

use super::apply::Kernel;
use super::table::Table;

/// What the fake kernel does with the n-th request it is sent (0-based).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Fault {
    /// Refuse it (nothing changes).
    Refuse,
    /// Apply it, then lose the answer.
    ApplyThenLoseAck,
    /// Lose it and the answer.
    Lose,
}

/// A kernel that keeps a [`Table`] and fails the requests it is told to.
pub(crate) struct FakeKernel {
    pub(crate) table: Table,
    pub(crate) sent: usize,
    pub(crate) faults: Vec<(usize, Fault)>,
    /// Refuse every request from this one on (0-based).
    pub(crate) refuse_from: Option<usize>,
    pub(crate) read_fails: bool,
    pub(crate) log: Vec<Request>,
}

impl FakeKernel {
    pub(crate) fn new(table: Table) -> Self {
        FakeKernel {
            table,
            sent: 0,
            faults: Vec::new(),
            refuse_from: None,
            read_fails: false,
            log: Vec::new(),
        }
    }
}

impl Kernel for FakeKernel {
    fn execute_until_error(&mut self, requests: &[Request]) -> Result<(), (usize, ClientError)> {
        for (index, request) in requests.iter().enumerate() {
            self.execute(request).map_err(|e| (index, e))?;
        }
        Ok(())
    }

    fn execute(&mut self, request: &Request) -> Result<(), ClientError> {
        let n = self.sent;
        self.sent += 1;
        self.log.push(request.clone());
        let fault = self
            .faults
            .iter()
            .find(|(at, _)| *at == n)
            .map(|(_, f)| *f)
            .or_else(|| {
                self.refuse_from
                    .filter(|from| n >= *from)
                    .map(|_| Fault::Refuse)
            });
        match fault {
            Some(Fault::Refuse) => Err(ClientError::Kernel {
                errno: libc::ENOENT,
            }),
            Some(Fault::Lose) => Err(ClientError::AckLost),
            Some(Fault::ApplyThenLoseAck) => {
                let _ = self.table.apply(request);
                Err(ClientError::AckLost)
            }
            None => self
                .table
                .apply(request)
                .map(|_| ())
                .map_err(|c| ClientError::Kernel { errno: c.errno() }),
        }
    }

    fn read_table(&mut self) -> Result<Table, ClientError> {
        if self.read_fails {
            return Err(ClientError::Timeout);
        }
        Ok(self.table.clone())
    }
}
