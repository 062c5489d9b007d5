//! The MVT 2.1 geometry command stream (specification 4.3) written from integer tile
//! coordinates. geozero's `MvtWriter` takes floating-point coordinates one call at a time and
//! copies each feature's commands out of itself; the encoder already holds whole rings of
//! integers, and the stream is three commands and a zigzag delta.

use i_overlay::i_float::int::point::IntPoint;

const MOVE_TO: u32 = 1;
const LINE_TO: u32 = 2;
const CLOSE_PATH: u32 = 7;

/// One feature's commands; the cursor carries over from part to part, as the specification
/// wants (a ClosePath leaves it on the ring's last vertex).
#[derive(Default)]
pub struct Commands {
    pub stream: Vec<u32>,
    cursor: IntPoint,
}

impl Commands {
    /// Starts the next feature.
    pub fn take(&mut self) -> Vec<u32> {
        self.cursor = IntPoint::new(0, 0);
        std::mem::take(&mut self.stream)
    }

    pub fn points(&mut self, points: &[IntPoint]) {
        if points.is_empty() {
            return;
        }
        self.stream.push(command(MOVE_TO, points.len()));
        points.iter().for_each(|p| self.to(*p));
    }

    /// A line of two points or more.
    pub fn line(&mut self, points: &[IntPoint]) {
        let Some((first, rest)) = points.split_first() else {
            return;
        };
        self.stream.push(command(MOVE_TO, 1));
        self.to(*first);
        self.stream.push(command(LINE_TO, rest.len()));
        rest.iter().for_each(|p| self.to(*p));
    }

    /// A ring given open (its first vertex not repeated at the end).
    pub fn ring(&mut self, ring: &[IntPoint]) {
        self.line(ring);
        self.stream.push(command(CLOSE_PATH, 1));
    }

    fn to(&mut self, p: IntPoint) {
        self.stream.extend([zigzag(p.x - self.cursor.x), zigzag(p.y - self.cursor.y)]);
        self.cursor = p;
    }
}

fn command(id: u32, count: usize) -> u32 {
    id | ((count as u32) << 3)
}

fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

/// The parts of a command stream (each MoveTo starts one), for tests.
#[cfg(test)]
pub fn decode(stream: &[u32]) -> Vec<Vec<(i32, i32)>> {
    let (mut out, mut cursor, mut i) = (Vec::new(), (0, 0), 0);
    let unzig = |v: u32| ((v >> 1) as i32) ^ -((v & 1) as i32);
    while i < stream.len() {
        let (id, count) = (stream[i] & 7, stream[i] >> 3);
        i += 1;
        if id == 1 {
            out.push(Vec::new());
        }
        if id == 7 {
            continue;
        }
        for _ in 0..count {
            cursor = (cursor.0 + unzig(stream[i]), cursor.1 + unzig(stream[i + 1]));
            out.last_mut().unwrap().push(cursor);
            i += 2;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_specification_examples() {
        // 4.3.5.1 (point), 4.3.5.2 (line) and 4.3.5.3 (polygon) of the MVT 2.1 specification.
        let mut c = Commands::default();
        c.points(&[IntPoint::new(25, 17)]);
        assert_eq!(c.take(), [9, 50, 34]);
        c.line(&[IntPoint::new(2, 2), IntPoint::new(2, 10), IntPoint::new(10, 10)]);
        assert_eq!(c.take(), [9, 4, 4, 18, 0, 16, 16, 0]);
        c.ring(&[IntPoint::new(3, 6), IntPoint::new(8, 12), IntPoint::new(20, 34)]);
        assert_eq!(c.take(), [9, 6, 12, 18, 10, 12, 24, 44, 15]);
    }
}
