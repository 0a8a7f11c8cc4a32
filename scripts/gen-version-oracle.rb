# frozen_string_literal: true

# Asks real RubyGems (Gem::Version, Gem::Requirement) how it reads a large corpus of versions and
# requirements, so src/versions/ can be replayed against the answers where Ruby is not installed
# (test/versions/oracle.test.ts). Deterministic: the same Ruby gives the same file byte for byte.
#
#   ruby scripts/gen-version-oracle.rb > test/fixtures/versions/rubygems-oracle.json
#
# Requirements with commas are split the way gemleak reads advisory files (at each comma and the
# spaces around it, empty parts kept so that they are rejected); each part goes to RubyGems as is.

require 'json'
require 'rubygems'

SEED = 20_261_125
RNG = Random.new(SEED)

# Shapes seen in real Gemfile.lock files and gem histories, the documented edge cases, and strings
# RubyGems must reject.
HAND_VERSIONS = [
  '0', '0.0', '0.0.0', '00', '000.000', '1', '1.0', '1.0.0', '1.0.0.0', '1.0.0.0.0.0.0.1',
  '4.2.11.1', '4.2.11', '4.2.2', '4.2.11.2', '6.1.7.10', '7.0.4.3', '10.0', '9.0', '1.9', '1.10.0',
  '1.0.0.rc1', '1.0.0.rc2', '1.0.0.rc10', '2.0.0.RC3', '2.0.0.rc1', '2.0.0.Rc2', '2.0.0.rC4',
  '1.0a', '1.0.0a1', '1.0.0-rc1', '1.0.0-rc.1', '1.0.0.pre.rc1', '1.0.0-beta-2', '1.0-1', '1.0.pre.1',
  '1.0.a', '1.a', '1.0.b', '1.0.beta', '1.0.rc', '1.0.RC', '1.0.Beta', '1.0.BETA', '1.0.0.alpha',
  '1.0.0.a', '1.0.0.a10', '1.0.0.a9', '1.0.0.aa', '1.0.0.ab', '1.0.0.z', '1.0.0.Z', '1.0.0.B',
  '1.0.0.b', '2.0.0.pre', '2.0.0.pre1', '2.0.0.pre.1', '3.0.0.beta.1', '3.0.0.beta1', '0.0.1.a',
  '0.a', '0.0.a', '1.2.3.4', '1.2.3', '1.01', '1.1', '01.1', '1.010', '1.10', '5.3.1', '5.3.1.b.2',
  '0.12.3', '0.12.10', '2.0.a', '1.2.0.a.1', '1.0.0.rc1.0', '1.0.0.rc1.0.0', '1.0.a.0.b',
  '1.0.0.a.0', '1.0.0.0.a', '20230101123456789012', '9007199254740993', '9007199254740992',
  '1.18446744073709551615.3', '1.99999999999999999999999999', '1.2.3.100000000000000000000001',
  '11.52.3.20161107.RC3', '11.52.3.20161107.rc2', '1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16',
  '2023.10.01', '0.0.0.1', '1.0.0.dev', '1.0.0.DEV', '1.0.0.x86', '1.0.0.rc1.1', '1.0.0.rc.1.1',
  '1.0--', '1--', '1.0-rc.1-2', '1.0-a.b-c', '1.0-1.0', '1.0-RC1',
  ' 1.0 ', "\t1.0\n", "1.0\r\n", "\v2.1\f", '   3  ', '', ' ', "\t",
  'v1.0', '1..2', '1.0_1', '1.0-', '1-', '1.0.0+build', '1.0 beta', '1a', '.1', '1.', '-1', '1.0.',
  'a', 'rc1', '1,0', "\uFF11.\uFF10", "1.0\u00A0", "\u00A01.0", "1.0\u00E9", '1.0.0-rc1+b', '=1.0',
  '1 .0', '1. 0', '1.0-rc..1', '1.0-.rc', '1.0.-rc', '1/0', "1.0\0", '0x10', '1e5', '1.e5', '+1',
  '1.0 1.1', 'nil', "1.0\n2.0", '1.0.0.rc1 ', '>= 1.0', '~>1', '1.0.*', '*', 'latest'
].freeze

# Every pair among these is compared: the orderings a leak check depends on.
LADDER = %w[
  0 0.a 0.0.1 0.1 0.9 0.12.3 0.12.10 0.13.0.a 0.13 1.0.0.a 1.0.0.RC1 1.0.0.Rc1 1.0.0.a.3
  1.0.0.alpha 1.0.0.beta 1.0.0.Beta 1.0.0.pre 1.0.0-rc1 1.0.0.rc1 1.0.0.rc2 1.0.0.rc10 1.0.0.rc.1
  1.0a 1 1.0 1.0.0 1.0.0.0 1.0.1 1.01 1.1 1.1.0.a 1.9.9 1.10 2.0.0.a 2.0.0.RC3 2.0.0.rc1 2 4.2.2
  4.2.11 4.2.11.1 4.2.11.1.a 4.2.11.2 10 20161107 20230101123456789012 9007199254740992 9007199254740993
].freeze

HAND_REQUIREMENTS = [
  '= 1.0', '!= 1.0', '> 1.0', '< 1.0', '>= 1.0', '<= 1.0', '~> 1.0', '1.0', '= 1', '!= 1.2.3',
  '~> 0.12.3', '~> 1', '~> 0', '~> 1.0.0', '~> 1.0.0.0', '~> 1.2.3.4', '~> 1.0.0.rc1', '~> 1.0.a',
  '~> 2.0.0.rc1', '~> 2.0.0.RC1', '~> 1.0.0.beta', '~> 1.0-rc1', '~> 4.2.11, >= 4.2.11.1',
  '> 0.16.0, < 0.17.2', '>= 0', '>= 0.a', '< 0.a', '> 0', '= 0', '~> 0.a', '~>1.0', '>=1.0',
  '  >=  1.0  ', ">=\t1.0", "~>\n2", '>= 1.0,< 2', '>= 1.0 , < 2', '>= 1, < 2, != 1.5',
  '>= 1.0, >= 1.0', '>= 1.0, >=1.0', '>= 11.52.3.20161107.RC3', '= 9007199254740993',
  '< 20230101123456789013', '>= 1.0.0.rc1, < 1.0.0', '~> 5.3.1.b.2', '> 1.0.a, < 1.0',
  '=> 1.0', '~> 1.0 beta', '>= 1.0,', ', >= 1', '>= 1.0,,< 2', '', ' ', '>=', '~>', '== 1',
  '=< 1', '~ 1.0', '^1.0', '>= v1', '> 1.0 < 2', '>= 1.0 || < 2', '>= 1a', '! 1.0', '<> 1',
  '>= 1.0-', '> 1.0; < 2', ">= 1.0\u00A0", '~> 1.0.*', '>= 1.0, < 2, '
].freeze

# Prerelease tags as gems write them, in both cases, with `.`, `-` and glued on.
TAGS = %w[
  .rc1 .rc.1 .rc2 .rc10 .beta .beta2 .beta.3 .alpha .alpha.0 .a .a1 .a9 .a10 .b .b.2 .pre .pre.1
  .dev .RC1 .RC3 .Rc1 .Beta .BETA .ALPHA a b1 rc2 -rc1 -rc.1 -beta.2 -alpha -1 -pre .0.rc1 .x
].freeze

OPERATORS = ['=', '!=', '>', '<', '>=', '<=', '~>'].freeze

def chance(probability) = RNG.rand < probability
def pick(list) = list.sample(random: RNG)

def random_number
  roll = RNG.rand(100)
  if roll < 55 then RNG.rand(4).to_s
  elsif roll < 80 then RNG.rand(4..12).to_s
  elsif roll < 90 then RNG.rand(13..999).to_s
  elsif roll < 94 then "0#{RNG.rand(10)}"
  elsif roll < 97 then RNG.rand(20_100_101..20_251_231).to_s
  else RNG.rand(10**19..10**25).to_s
  end
end

def random_version
  size = pick([1, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6])
  text = Array.new(size) { random_number }.join('.')
  text += pick(TAGS) if chance(0.35)
  text += '.0' if chance(0.05)
  text
end

def swap_tag_case(text)
  text.sub(/[a-zA-Z]+/) { |tag| chance(0.5) ? tag.swapcase : tag.capitalize }
end

# Versions one step away from `text`: what sits on either side of a requirement's boundary.
def neighbours(text)
  version = Gem::Version.new(text)
  segments = version.segments
  out = [version.to_s, version.release.to_s, version.bump.to_s, "#{version.bump}.a", "#{version.bump}.0",
         "#{version.release}.1", "#{text}.0", "#{text}.1", "#{text}.a", "#{text}.rc1", "#{text}.RC1",
         "#{text}-pre", "#{version.release}.pre", "#{version.release}.rc2", "#{version.release}.Beta"]
  segments.each_with_index do |segment, index|
    next unless segment.is_a?(Integer)

    [segment + 1, segment - 1].each do |changed|
      next if changed.negative?

      copy = segments.dup
      copy[index] = changed
      out << copy.join('.')
    end
  end
  out << segments[0...-1].join('.') if segments.size > 1
  out << swap_tag_case(text) if version.prerelease?
  out << text.sub(/\A(\d+)/) { "0#{Regexp.last_match(1)}" }
  out.select { |candidate| Gem::Version.correct?(candidate) }.uniq
end

def version_entry(text)
  return { input: text, valid: false } unless Gem::Version.correct?(text)

  version = Gem::Version.new(text)
  { input: text, valid: true, string: version.to_s, prerelease: version.prerelease?,
    release: version.release.to_s, bump: version.bump.to_s }
end

def build_requirement(text)
  parts = text.include?(',') ? text.split(/[ \t\n\v\f\r]*,[ \t\n\v\f\r]*/, -1) : [text]
  Gem::Requirement.new(*parts)
end

def requirement_or_nil(text)
  build_requirement(text)
rescue Gem::Requirement::BadRequirementError
  nil
end

def random_constraint(operator = pick(OPERATORS))
  spacing = pick([' ', ' ', ' ', '', '  '])
  "#{operator}#{spacing}#{random_version}"
end

def pessimistic
  size = RNG.rand(1..4)
  text = Array.new(size) { random_number }.join('.')
  text += pick(TAGS) if chance(0.3)
  "~> #{text}"
end

def bounded_range
  low, high = [random_version, random_version].map { |text| Gem::Version.new(text) }.sort
  high = high.bump if low == high
  "#{pick(['>', '>='])} #{low}, #{pick(['<', '<='])} #{high}"
end

def random_requirement
  case RNG.rand(10)
  when 0..2 then random_constraint
  when 3..4 then pessimistic
  when 5..7 then bounded_range
  when 8 then "#{pessimistic}, #{random_constraint('>=')}"
  else "#{bounded_range}, #{random_constraint('!=')}"
  end
end

def requirement_versions(requirement)
  requirement.requirements.flat_map { |_, version| neighbours(version.to_s) }.uniq
end

def unordered_key(left, right) = [left, right].sort

def comparison_pairs(corpus)
  pairs = {}
  add = lambda do |left, right|
    key = unordered_key(left, right)
    pairs[key] ||= [left, right] unless left == right
  end
  LADDER.combination(2) { |left, right| add.call(left, right) }
  2_000.times do
    left = pick(corpus)
    add.call(left, pick(neighbours(left)))
  end
  1_100.times { add.call(pick(corpus), pick(corpus)) }
  pairs.values
end

def satisfaction_rows(requirement_texts, corpus)
  requirement_texts.flat_map do |text|
    requirement = requirement_or_nil(text)
    next [] unless requirement

    near = requirement_versions(requirement)
    candidates = (near.sample(14, random: RNG) + Array.new(3) { pick(corpus) }).uniq
    candidates.map { |version| [text, version, requirement.satisfied_by?(Gem::Version.new(version))] }
  end
end

generated_versions = Array.new(700) { random_version }
version_inputs = (HAND_VERSIONS + LADDER + generated_versions).uniq
corpus = version_inputs.select { |text| Gem::Version.correct?(text) && !text.strip.empty? }

requirement_texts = (HAND_REQUIREMENTS + Array.new(300) { random_requirement }).uniq
requirement_entries = requirement_texts.map do |text|
  requirement = requirement_or_nil(text)
  requirement ? { input: text, valid: true, string: requirement.to_s } : { input: text, valid: false }
end

comparisons = comparison_pairs(corpus).map do |left, right|
  [left, right, Gem::Version.new(left) <=> Gem::Version.new(right)]
end
checks = satisfaction_rows(requirement_texts, corpus)

def section(name, rows, last: false)
  body = rows.map { |row| "    #{JSON.generate(row)}" }.join(",\n")
  "  #{JSON.generate(name)}: [\n#{body}\n  ]#{last ? '' : ','}\n"
end

header = {
  generator: 'scripts/gen-version-oracle.rb',
  ruby: RUBY_VERSION,
  rubygems: Gem::VERSION,
  seed: SEED,
  note: 'Answers from real RubyGems. Regenerate, never edit: ruby scripts/gen-version-oracle.rb > test/fixtures/versions/rubygems-oracle.json'
}
$stdout.write("{\n")
header.each { |key, value| $stdout.write("  #{JSON.generate(key.to_s)}: #{JSON.generate(value)},\n") }
$stdout.write(section('versions', version_inputs.map { |text| version_entry(text) }))
$stdout.write(section('comparisons', comparisons))
$stdout.write(section('requirements', requirement_entries))
$stdout.write(section('satisfaction', checks, last: true))
$stdout.write("}\n")
