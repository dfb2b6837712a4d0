package dataapi

import "sync"

// maxPooledBuffer is the largest buffer a BufferPool keeps: a page of
// ten thousand typical rows fits (JSON ~2 MB), and one huge page does not
// stay pinned. (At 1 MiB, every default-size JSON page was allocated and
// grown anew: CPU per MB +60%.)
const maxPooledBuffer = 16 << 20

// BufferPool reuses the buffers the bindings encode result pages into
// (ResultPage.AppendJSON). A binding holds one; its zero value is ready.
// A buffer is handed out empty and may be put back once written out.
type BufferPool struct {
	pool sync.Pool
}

// Get returns an empty buffer.
func (p *BufferPool) Get() *[]byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 4<<10)
	return &b
}

// Put gives b back; its bytes must no longer be in use.
func (p *BufferPool) Put(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	p.pool.Put(b)
}
