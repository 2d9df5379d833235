//! Serving a tokio-modbus [`Service`] on any byte stream, for in-memory links.
//!
//! tokio-modbus 0.17's RTU server (`server::rtu::Server`) accepts only a `SerialStream`, and
//! the generic framing loop inside it is private (its RTU-over-TCP server frames any stream, but
//! only ones accepted from a TCP listener). This is the same loop over a plain
//! `AsyncRead + AsyncWrite`: delimit a request by its function code, check the CRC, decode the
//! PDU with tokio-modbus's own decoder, ask the same [`Service`] the pty server asks, and frame
//! the answer. It encodes only the replies the simulator gives. The pty simulator uses it too:
//! it refuses, before tokio-modbus decodes them, the write quantities that decoder panics on.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_modbus::bytes::Bytes;
use tokio_modbus::prelude::{ExceptionCode, Request, Response, SlaveRequest};
use tokio_modbus::server::Service;

/// Largest RTU frame: address, 253-byte PDU, CRC.
const MAX_FRAME: usize = 256;

/// CRC-16/MODBUS (reflected polynomial 0xA001, initial value 0xFFFF) of `bytes`.
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc = 0xFFFF_u16;
    for &byte in bytes {
        crc ^= u16::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// An RTU frame: slave address, PDU, then the CRC low byte first.
pub(crate) fn frame(slave: u8, pdu: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pdu.len() + 3);
    out.push(slave);
    out.extend_from_slice(pdu);
    out.extend_from_slice(&crc16(&out).to_le_bytes());
    out
}

/// Serve requests arriving on `stream` until it ends (the client dropped its end).
pub(crate) async fn serve<T, S>(mut stream: T, service: S) -> io::Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin,
    S: Service<Request = SlaveRequest<'static>>,
{
    let mut buf = Vec::with_capacity(2 * MAX_FRAME);
    let mut chunk = [0u8; MAX_FRAME];
    loop {
        while let Some((slave, pdu)) = next_request(&mut buf) {
            if let Some(code) = refused_quantity(&pdu) {
                stream
                    .write_all(&frame(slave, &exception(pdu[0], code)))
                    .await?;
                continue;
            }
            // tokio-modbus's server gives up on a request it cannot decode; a device sharing a
            // line ignores it and waits for the next frame.
            let Ok(request) = Request::try_from(Bytes::from(pdu)) else {
                continue;
            };
            let function = request.function_code().value();
            let reply = match service.call(SlaveRequest { slave, request }).await {
                Ok(response) => match response.into() {
                    // Not addressed to anyone here, or a silent fault: no reply, as on RS-485.
                    None => continue,
                    Some(response) => encode(&response)
                        .unwrap_or_else(|| exception(function, ExceptionCode::ServerDeviceFailure)),
                },
                Err(code) => exception(function, code.into()),
            };
            stream.write_all(&frame(slave, &reply)).await?;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A write whose quantity no device accepts (Modbus application protocol 6.11, 6.12, 6.17: 1
/// to 1968 coils, 1 to 123 registers, 1 to 121 in a read/write, the byte count matching):
/// ILLEGAL DATA VALUE, as a device answers. Checked here because tokio-modbus 0.17.0's request
/// decoder computes `quantity * 2` in u16, which panics for 0x8000 or more in a debug build
/// (found by the `modbus_requests` fuzz target, for functions 0x10 and 0x17; both kept in its
/// corpus).
fn refused_quantity(pdu: &[u8]) -> Option<ExceptionCode> {
    // (offset of the write quantity, the most allowed, bytes that many take)
    let (at, max, bytes_for): (usize, u16, fn(u16) -> usize) = match pdu.first()? {
        0x0F => (3, 1968, |q| usize::from(q).div_ceil(8)),
        0x10 => (3, 123, |q| 2 * usize::from(q)),
        0x17 => (7, 121, |q| 2 * usize::from(q)),
        _ => return None,
    };
    let quantity = u16::from_be_bytes([*pdu.get(at)?, *pdu.get(at + 1)?]);
    let count = usize::from(*pdu.get(at + 2)?);
    (quantity == 0 || quantity > max || count != bytes_for(quantity))
        .then_some(ExceptionCode::IllegalDataValue)
}

fn exception(function: u8, code: ExceptionCode) -> Vec<u8> {
    vec![function | 0x80, code.into()]
}

/// How long a request's PDU is, judged from its first bytes.
enum PduLen {
    Known(usize),
    NeedMore,
    /// A function code no request has: the byte cannot start a frame.
    Unframable,
}

/// The PDU length of the request starting `adu`, as tokio-modbus's server decoder reckons it.
fn request_pdu_len(adu: &[u8]) -> PduLen {
    let counted = |at: usize, fixed: usize| match adu.get(at) {
        Some(&count) => PduLen::Known(fixed + usize::from(count)),
        None => PduLen::NeedMore,
    };
    match adu.get(1) {
        None => PduLen::NeedMore,
        Some(0x01..=0x06) => PduLen::Known(5),
        Some(0x07 | 0x0B | 0x0C | 0x11) => PduLen::Known(1),
        Some(0x0F | 0x10) => counted(6, 6),
        Some(0x16) => PduLen::Known(7),
        Some(0x17) => counted(10, 10),
        Some(0x18) => PduLen::Known(3),
        Some(_) => PduLen::Unframable,
    }
}

/// Take the first complete request with a valid CRC off `buf` as (slave, PDU). Bytes that
/// cannot start one (noise, a damaged frame) are dropped one at a time until a frame lines up,
/// the way tokio-modbus's decoder recovers.
pub(crate) fn next_request(buf: &mut Vec<u8>) -> Option<(u8, Vec<u8>)> {
    loop {
        let pdu_len = match request_pdu_len(buf) {
            PduLen::NeedMore => return None,
            PduLen::Unframable => {
                buf.remove(0);
                continue;
            }
            PduLen::Known(n) => n,
        };
        let end = 1 + pdu_len;
        if buf.len() < end + 2 {
            return None;
        }
        if crc16(&buf[..end]).to_le_bytes() == buf[end..end + 2] {
            let frame: Vec<u8> = buf.drain(..end + 2).collect();
            return Some((frame[0], frame[1..end].to_vec()));
        }
        buf.remove(0);
    }
}

/// The PDU of `response`, for the kinds the simulator gives.
fn encode(response: &Response) -> Option<Vec<u8>> {
    let mut pdu = vec![response.function_code().value()];
    match response {
        Response::ReadHoldingRegisters(words) | Response::ReadInputRegisters(words) => {
            pdu.push(u8::try_from(words.len() * 2).ok()?);
            for word in words {
                pdu.extend_from_slice(&word.to_be_bytes());
            }
        }
        Response::WriteSingleRegister(a, b) | Response::WriteMultipleRegisters(a, b) => {
            pdu.extend_from_slice(&a.to_be_bytes());
            pdu.extend_from_slice(&b.to_be_bytes());
        }
        _ => return None,
    }
    Some(pdu)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write of 0x8000 registers made tokio-modbus's decoder panic (debug builds) and ended
    /// the simulator; it is refused as a device refuses it.
    #[tokio::test]
    async fn an_impossible_write_quantity_is_refused_not_a_panic() {
        let sim = super::super::SimHandle::new(
            crate::LightsMap::default(),
            crate::ChairMap::default(),
            super::super::ChairPhysics::default(),
        );
        let (mut near, far) = tokio::io::duplex(1024);
        let served = tokio::spawn(async move { sim.serve(far).await });
        let write = frame(1, &[0x10, 0x00, 0x00, 0x80, 0x02, 0x04, 0, 1, 0, 2]);
        let read_write = frame(1, &[0x17, 0, 0, 0, 1, 0, 0, 0x80, 0x02, 0x04, 0, 1, 0, 2]);
        near.write_all(&write).await.unwrap();
        near.write_all(&read_write).await.unwrap();
        near.shutdown().await.unwrap();
        let mut reply = Vec::new();
        near.read_to_end(&mut reply).await.unwrap();
        let mut expected = frame(1, &[0x90, 0x03]);
        expected.extend(frame(1, &[0x97, 0x03]));
        assert_eq!(reply, expected);
        served.await.unwrap().unwrap();
    }

    #[test]
    fn crc_matches_the_modbus_reference_values() {
        // The vectors tokio-modbus tests its own CRC with.
        assert_eq!(crc16(&[0x01, 0x03, 0x08, 0x2B, 0x00, 0x02]), 0x63B6);
        assert_eq!(crc16(&[0x01, 0x03, 0x04, 0x00, 0x20, 0x00, 0x00]), 0xF9FB);
    }

    #[test]
    fn requests_are_found_after_noise_and_split_at_their_end() {
        let read = frame(1, &[0x03, 0x00, 0x10, 0x00, 0x01]);
        let write = frame(2, &[0x10, 0x00, 0x00, 0x00, 0x02, 0x04, 0, 1, 0, 2]);
        let mut buf = vec![0x00, 0xFF, 0x13];
        buf.extend_from_slice(&read);
        buf.extend_from_slice(&write[..4]);
        assert_eq!(
            next_request(&mut buf),
            Some((1, vec![0x03, 0x00, 0x10, 0x00, 0x01]))
        );
        assert_eq!(next_request(&mut buf), None, "the write is incomplete");
        buf.extend_from_slice(&write[4..]);
        assert_eq!(
            next_request(&mut buf).map(|(s, p)| (s, p.len())),
            Some((2, 10))
        );
        assert!(buf.is_empty());
    }
}
