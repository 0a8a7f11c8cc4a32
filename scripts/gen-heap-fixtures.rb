# frozen_string_literal: false
#
# Makes the committed heap-dump fixtures of `gemleak heap diff`: three real ObjectSpace.dump_all
# dumps A, B, C of one small Ruby process, gzipped, with their ground truth and heapy's output.
#
#   ruby --disable-gems scripts/gen-heap-fixtures.rb [test/fixtures/heap/shop]
#
# --disable-gems keeps the heap small (about 6,500 objects, 80 KB gzipped per dump). The app code
# below is eval'd under the file names a Rails app would have, so the dumps say /srv/shop/... on
# every machine. Marker comments give the truth: `LEAK[TYPE xN]` lines allocate objects between A
# and B that are still alive in C; BEFORE_A, ALIVE_AT_B_ONLY, TRANSIENT and AFTER_B lines make
# objects a correct diff must not report (AFTER_B shares its line with a leak, so a tool that
# confuses "allocated after B" with "retained" reports too many). heapy's output (if heapy is
# installed) is saved beside them, so tests can compare `--compat heapy` without heapy.
# Only objspace is loaded before the dumps, so that the dumps hold little besides the app.
require 'objspace'

OUT = File.expand_path(ARGV.fetch(0, File.join(__dir__, '..', 'test', 'fixtures', 'heap', 'shop')))

APP_FILE = '/srv/shop/app/models/cart.rb'
APP = <<~'RUBY'
  class Session
    def initialize(id); @id = id; end
  end
  class Ticket; end
  class Keeper; end
  TICKETS = []
  KEEPERS = []
  SESSIONS = []
  BATCH = []
  REFILL = []
  CARTS = []
  def warm_up
    600.times { TICKETS << Ticket.new; KEEPERS << Keeper.new }          # BEFORE_A[OBJECT x1200]
    20.times { |i| CARTS << "cart-warm-" + ("w" * i) }                   # BEFORE_A[STRING x20]
  end
  def handle_request(i)
    body = "<html>" + ("x" * 40) + "</html>"                             # TRANSIENT
    CARTS << "cart-#{i}-" + ("p" * (i % 40))                             # LEAK[STRING x300] AFTER_B[STRING x100]
    body.size
  end
  def grow
    TICKETS.clear
    GC.start
    250.times { |i| SESSIONS << Session.new(i) }                         # LEAK[OBJECT x250]
    300.times { |i| handle_request(i) }
    120.times { |i| BATCH << [i, -i, i * 2] }                            # ALIVE_AT_B_ONLY[ARRAY x120]
  end
  def grow_more
    BATCH.clear
    GC.start
    120.times { |i| REFILL << [i, i, i] }                                # AFTER_B[ARRAY x120]
    100.times { |i| handle_request(1000 + i) }
  end
RUBY

# A template compiled under a name Ruby writes into the dump without JSON escaping.
VIEW_FILE = '(erb) "app\views\carts\show.html.erb"'
VIEW = <<~'RUBY'
  VIEW_CACHE = []; def render_cart(i) VIEW_CACHE << "<li>cart #{i}</li>" end # LEAK[STRING x40]
RUBY

def heap_dump(dir, name)
  GC.start
  File.open(File.join(dir, "#{name}.ndjson"), 'w') { |io| ObjectSpace.dump_all(output: io) }
end

def markers(source, file)
  truth = { 'leaks' => [], 'must_not_be_retained' => [] }
  source.each_line.with_index(1) do |text, line|
    text.scan(/(LEAK|BEFORE_A|ALIVE_AT_B_ONLY|TRANSIENT|AFTER_B)(?:\[(\w+) x(\d+)\])?/) do |tag, type, count|
      entry = { 'tag' => tag, 'file' => file, 'line' => line, 'type' => type, 'count' => count&.to_i }
      (tag == 'LEAK' ? truth['leaks'] : truth['must_not_be_retained']) << entry
    end
  end
  truth
end

tmp = File.join(ENV.fetch('TMPDIR', '/tmp'), "gemleak-heap-fixtures-#{Process.pid}")
Dir.mkdir(tmp)
begin
  ObjectSpace.trace_object_allocations_start
  eval(APP, TOPLEVEL_BINDING, APP_FILE, 1)
  eval(VIEW, TOPLEVEL_BINDING, VIEW_FILE, 1)
  warm_up
  heap_dump(tmp, 'A')
  grow
  40.times { |i| render_cart(i) }
  heap_dump(tmp, 'B')
  grow_more
  heap_dump(tmp, 'C')
  ObjectSpace.trace_object_allocations_stop

  require 'zlib'
  require 'json'
  require 'fileutils'
  FileUtils.mkdir_p(OUT)
  %w[A B C].each do |name|
    Zlib::GzipWriter.open(File.join(OUT, "#{name}.ndjson.gz"), Zlib::BEST_COMPRESSION) do |gz|
      gz.mtime = 0
      gz.write(File.binread(File.join(tmp, "#{name}.ndjson")))
    end
  end

  app = markers(APP, APP_FILE)
  view = markers(VIEW, VIEW_FILE)
  truth = {
    'ruby' => RUBY_DESCRIPTION,
    'leaks' => app['leaks'] + view['leaks'],
    'must_not_be_retained' => app['must_not_be_retained'] + view['must_not_be_retained'],
    'note' => 'AFTER_B strings share line 18 with the leak: the right count there is 300, not 400.',
  }
  File.write(File.join(OUT, 'truth.json'), JSON.pretty_generate(truth) + "\n")

  heapy = ENV.fetch('HEAPY', 'heapy')
  if system("command -v #{heapy} > /dev/null 2>&1")
    a, b, c = %w[A B C].map { |name| File.join(tmp, "#{name}.ndjson") }
    # Only the report lines: heapy also prints `Could not parse <line>` for the template's lines.
    report = ->(output) { output.lines.reject { |line| line.start_with?('Could not parse ') }.join }
    File.write(File.join(OUT, 'heapy-3way.txt'), report.(`#{heapy} diff #{a} #{b} #{c}`))
    File.write(File.join(OUT, 'heapy-2way.txt'), report.(`#{heapy} diff #{a} #{b}`))
    File.write(File.join(OUT, 'heapy-version.txt'), `#{heapy} version`)
  else
    warn 'heapy is not installed: heapy-*.txt were not refreshed'
  end
ensure
  %w[A B C].each { |name| File.delete(File.join(tmp, "#{name}.ndjson")) if File.exist?(File.join(tmp, "#{name}.ndjson")) }
  Dir.rmdir(tmp)
end
puts "wrote #{OUT}"
