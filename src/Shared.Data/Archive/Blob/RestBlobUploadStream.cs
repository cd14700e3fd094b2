using System.Security.Cryptography;
using System.Text;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// Cuts written bytes into fixed-size blocks and stages each with Put Block as soon as it fills; commits with
/// Put Block List only in <see cref="CompleteAsync"/>. Memory: <c>uploadBuffers</c> × block size, whatever the
/// blob size. If anything fails before the commit, the staged blocks stay uncommitted and invisible; the service
/// garbage-collects uncommitted blocks (after about a week) and they never replace an existing blob.
/// </summary>
internal sealed class RestBlobUploadStream : BlobUploadStream
{
    private readonly AzureBlobRestStore _store;
    private readonly string _blobName;
    private readonly string _contentType;
    private readonly IReadOnlyDictionary<string, string>? _metadata;
    private readonly int _blockSize;
    private readonly int _uploadBuffers;
    // Per upload, so two uploads of the same name never mix blocks. Ids are base64 of a fixed-length string:
    // the service requires all block ids of a blob to have the same length (also across abandoned attempts).
    private readonly string _uploadId = Guid.NewGuid().ToString("N");
    private readonly List<string> _blockIds = new();
    private readonly Queue<(Task Upload, byte[] Buffer)> _inFlight = new();
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private byte[]? _current;
    private int _filled;
    private long _length;
    private bool _disposed;
    private bool _completed;
    private bool _faulted;

    public RestBlobUploadStream(AzureBlobRestStore store, string blobName, string contentType,
        IReadOnlyDictionary<string, string>? metadata, int blockSize, int uploadBuffers)
    {
        _store = store;
        _blobName = blobName;
        _contentType = contentType;
        _metadata = metadata;
        _blockSize = blockSize;
        _uploadBuffers = uploadBuffers;
    }

    /// <summary>Block id for block <paramref name="index"/>: base64("{32 hex}-{6 digits}"), always 52 characters.</summary>
    internal string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"{_uploadId}-{index:D6}"));

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed && !_completed;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length + _filled; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    // A partial block is not worth a round trip; blocks go up when full or at completion.
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Synchronous writes block on the upload of a full block (sync-over-async); prefer WriteAsync.
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // Fast path without a task when the bytes fit in the current block.
        if (CanWrite && _current is not null && buffer.Length < _blockSize - _filled)
        {
            buffer.CopyTo(_current.AsSpan(_filled));
            _filled += buffer.Length;
            return;
        }
        Write(buffer.ToArray(), 0, buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        while (!source.IsEmpty)
        {
            _current ??= new byte[_blockSize];
            var n = Math.Min(source.Length, _blockSize - _filled);
            source[..n].CopyTo(_current.AsMemory(_filled));
            _filled += n;
            source = source[n..];
            if (_filled == _blockSize) await StageCurrentBlockAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<BlobUploadResult> CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_completed) throw new InvalidOperationException($"Upload of '{_blobName}' was already completed.");
        if (_faulted) throw new InvalidOperationException($"Upload of '{_blobName}' failed earlier; nothing was committed.");
        _completed = true;
        try
        {
            if (_filled > 0) await StageCurrentBlockAsync(cancellationToken).ConfigureAwait(false);
            while (_inFlight.Count > 0) await _inFlight.Dequeue().Upload.ConfigureAwait(false);
            var md5 = _md5.GetHashAndReset();
            var etag = await _store.CommitBlockListAsync(_blobName, _blockIds, _contentType, md5, _metadata, cancellationToken)
                .ConfigureAwait(false);
            return new BlobUploadResult(_blobName, _length, etag, _blockIds.Count, md5);
        }
        catch
        {
            _faulted = true;
            throw;
        }
        finally
        {
            _current = null;
            _md5.Dispose();
        }
    }

    private async Task StageCurrentBlockAsync(CancellationToken cancellationToken)
    {
        if (_blockIds.Count >= AzureBlobRestStore.MaxBlocks)
        {
            _faulted = true;
            throw new InvalidOperationException(
                $"'{_blobName}' would exceed {AzureBlobRestStore.MaxBlocks} blocks of {_blockSize} bytes; raise BlockSize.");
        }
        var id = BlockId(_blockIds.Count);
        _blockIds.Add(id);
        var buffer = _current!;
        var count = _filled;
        _md5.AppendData(buffer, 0, count);
        _length += count;
        _inFlight.Enqueue((_store.PutBlockAsync(_blobName, id, buffer.AsMemory(0, count), cancellationToken), buffer));
        _current = null;
        _filled = 0;
        if (_inFlight.Count < _uploadBuffers) return; // another buffer may fill while this one uploads

        var (upload, freed) = _inFlight.Dequeue();
        try
        {
            await upload.ConfigureAwait(false);
        }
        catch
        {
            _faulted = true;
            throw;
        }
        _current = freed;
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException($"Upload of '{_blobName}' is already completed.");
        if (_faulted) throw new InvalidOperationException($"Upload of '{_blobName}' failed earlier; nothing was committed.");
    }

    // Disposing never commits (and never throws): a producer that fails must not publish a partial blob.
    // State is kept, so CompleteAsync still works after a wrapper (e.g. GZipStream) disposed this stream.
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        foreach (var (upload, _) in _inFlight)
            _ = upload.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            // Let staged uploads finish so no request outlives the caller; their failures no longer matter.
            foreach (var (upload, _) in _inFlight)
            {
                try { await upload.ConfigureAwait(false); }
                catch { /* abandoned upload */ }
            }
        }
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
